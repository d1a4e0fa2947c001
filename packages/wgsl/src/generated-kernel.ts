import type { DimBindings, Kernel, Node } from '@weft/ir';

/** Device facts that code generation depends on (a pure input: same facts, same WGSL). */
export interface DeviceProfile {
  /** `GPUSupportedLimits` values that shape kernels. */
  readonly limits: {
    readonly maxComputeInvocationsPerWorkgroup: number;
    readonly maxComputeWorkgroupSizeX: number;
    readonly maxComputeWorkgroupSizeY: number;
    readonly maxComputeWorkgroupStorageSize: number;
    readonly maxComputeWorkgroupsPerDimension: number;
    readonly maxStorageBuffersPerShaderStage: number;
    readonly maxStorageBufferBindingSize: number;
    readonly minStorageBufferOffsetAlignment: number;
  };
  /** Whether `shader-f16` is enabled on the device. */
  readonly shaderF16: boolean;
  /**
   * Whether the `subgroups` feature is enabled. Subgroup code must not assume a subgroup size:
   * SwiftShader's is 4.
   */
  readonly subgroups: boolean;
}

/** The WebGPU core defaults: what every adapter offers. */
export const DEFAULT_DEVICE_PROFILE: DeviceProfile = {
  limits: {
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupStorageSize: 16384,
    maxComputeWorkgroupsPerDimension: 65535,
    maxStorageBuffersPerShaderStage: 8,
    maxStorageBufferBindingSize: 134217728,
    minStorageBufferOffsetAlignment: 256,
  },
  shaderF16: false,
  subgroups: false,
};

/**
 * One binding of a generated kernel, in `@group(0)`. Tensors live in the program's arena; each
 * storage binding is a range of it holding one tensor, or (when a kernel would exceed the device's
 * storage-buffer limit) several read-only tensors packed in one range, addressed by element offsets.
 */
export type KernelBinding =
  | {
      readonly binding: number;
      readonly kind: 'storage';
      /** `read` for inputs, `read_write` for outputs. */
      readonly access: 'read' | 'read_write';
      /** The tensors in this binding; with several, each is at the given element offset. */
      readonly tensors: readonly Node[];
    }
  | {
      readonly binding: number;
      readonly kind: 'uniform';
      /** Uniform contents: the program's dim bindings, packed by {@link GeneratedKernel.uniforms}. */
      readonly name: 'params';
    };

/** A kernel rendered to WGSL, with everything the runtime needs to bind and dispatch it. */
export interface GeneratedKernel {
  /** The plan's kernel this renders. */
  readonly kernel: Kernel;
  /** Human-readable label (used for pipelines and profiling), e.g. `k3_row_layernorm`. */
  readonly label: string;
  /** The complete WGSL module. */
  readonly wgsl: string;
  /** Entry point name in {@link GeneratedKernel.wgsl}. */
  readonly entryPoint: string;
  /** `@workgroup_size` of the entry point. */
  readonly workgroupSize: readonly [number, number, number];
  /** Bindings, in binding-number order. */
  readonly bindings: readonly KernelBinding[];
  /** Workgroup counts for a run with these dim bindings (already folded into y/z when large). */
  workgroups(dims: DimBindings): [number, number, number];
  /**
   * Contents of the `params` uniform for a run with these dim bindings (symbolic dim values, and
   * packed-tensor element offsets), as 32-bit words; byte length a multiple of 16.
   */
  uniforms(dims: DimBindings): Uint32Array;
}
