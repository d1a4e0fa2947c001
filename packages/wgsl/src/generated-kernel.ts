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
  /**
   * The subgroup size, where the adapter reports a single one (`subgroupMinSize` =
   * `subgroupMaxSize`; SwiftShader: 4); absent where the size may vary or is not reported. Kernels
   * that need every subgroup full and of a known size (reading a row together by broadcast) use it
   * only when their workgroup is exactly that size.
   */
  readonly subgroupSize?: number;
  /**
   * Whether the adapter emulates the GPU on the CPU (SwiftShader, a fallback adapter). There a
   * workgroup runs on one CPU thread with its invocations as coroutines, so each
   * `workgroupBarrier()` costs a switch per invocation and cooperative reductions lose to one
   * invocation per row. Absent means a hardware GPU.
   */
  readonly software?: boolean;
  /**
   * How kernels store and compute floats (absent: `f32`). `f16` (needs {@link DeviceProfile.shaderF16})
   * and `f16-emulated` are the f16 tier: every f32 tensor a kernel reads or writes holds f16 values
   * (rounded at each load and store), attention stages its K and V tiles in f16 and scales Q by a
   * power of two before QKᵀ; products, accumulators and row statistics stay f32. `f16-emulated`
   * renders the same kernels with f32 storage and `quantizeToF16` at each rounding, for testing the
   * numerics on a device without `shader-f16`.
   */
  readonly precision?: KernelPrecision;
  /**
   * f16 storage (absent: false; needs precision `f16` or `f16-emulated`; `compile` turns it on by
   * default at `f16`): the f32 tensors only kernels see, the intermediates between kernels, and the
   * f32 parameters (`halfStoredTensors` in `@weft/ir`) are stored in 2 bytes per element, halving
   * their part of the memory. At precision `f16` they are `array<f16>` bindings; at `f16-emulated`
   * two f16 values share a `u32` word (`pack2x16float`, `unpack2x16float`; stores through
   * `atomicAnd`/`atomicOr`), the same bytes on any device. Graph inputs and outputs stay f32 in both.
   */
  readonly halfStorage?: boolean;
  /**
   * Subgroup matrices (absent: none): set only when the device was created with Dawn's
   * `chromium-experimental-subgroup-matrix` feature. The matmul uses them when one of `configs`
   * fits its precision and shape (see `chooseMatmulStrategy`).
   */
  readonly subgroupMatrix?: SubgroupMatrixSupport;
}

/**
 * One matrix shape an adapter's subgroup matrices support: Dawn's `GPUSubgroupMatrixConfig`
 * (`adapter.info.subgroupMatrixConfigs`; docs/dawn/features/subgroup_matrix.md and
 * src/dawn/node/interop/DawnExtensions.idl in the Dawn repository). A left matrix is `M`×`K` of
 * `componentType`, a right one `K`×`N`, the result `M`×`N` of `resultComponentType`.
 */
export interface SubgroupMatrixConfig {
  /** Component type of the left and right matrices: `f32`, `f16`, `u32`, `i32`, `u8` or `i8`. */
  readonly componentType: string;
  /** Component type of the result matrix. */
  readonly resultComponentType: string;
  /** Rows of the left and result matrices. */
  readonly M: number;
  /** Columns of the right and result matrices. */
  readonly N: number;
  /** Columns of the left matrix, rows of the right one. */
  readonly K: number;
}

/** What a device offers for subgroup matrices (see {@link DeviceProfile.subgroupMatrix}). */
export interface SubgroupMatrixSupport {
  /** The adapter's configurations, in the adapter's order (Vulkan lists its preferred ones first). */
  readonly configs: readonly SubgroupMatrixConfig[];
  /**
   * `GPUAdapterInfo.subgroupMaxSize`: a shader using subgroup matrices needs a workgroup whose x
   * size is a multiple of it (a pipeline-creation error otherwise).
   */
  readonly subgroupMaxSize: number;
}

/** See {@link DeviceProfile.precision}. */
export type KernelPrecision = 'f32' | 'f16' | 'f16-emulated';

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
 * storage-buffer limit) several read-only tensors packed in one range, addressed by offsets.
 *
 * How the runtime binds it:
 * - a storage binding with one tensor: the tensor's arena range (`offset` = its slot's offset,
 *   `size` = the bytes it occupies for this run or its slot's size);
 * - a storage binding with several tensors (always `access: 'read'`, WGSL type `array<u32>`): any
 *   arena range that contains all of them and starts at a multiple of
 *   `minStorageBufferOffsetAlignment`; the simplest is the whole arena (when it fits
 *   `maxStorageBufferBindingSize`), or the span from the lowest to the highest of their slots.
 *   Then pass each tensor's byte offset *relative to the start of that range* to
 *   {@link GeneratedKernel.uniforms} (`packedOffsets`); the shader reads word
 *   `offset / 4 + element` (f16: half-word pairs) of the range;
 * - the `uniform` binding: a buffer of at least `uniforms(...).byteLength` bytes holding the
 *   words {@link GeneratedKernel.uniforms} returns. It is absent when the kernel reads no
 *   symbolic dim and packs no tensor.
 *
 * Every listed binding is statically used by the entry point, so a pipeline created with
 * `layout: 'auto'` accepts a bind group with exactly these entries.
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
  /**
   * Human-readable label (GPU pipelines and bind groups, program stats, profile rows, errors): the
   * block's user name, the template and its main options, e.g.
   * `layers.0.attn · attention (and(causal, cacheWindow), softmax)` (see `kernelTitle` in `@weft/ir`).
   */
  readonly label: string;
  /** The user name of the block the kernel computes (`layers.0.mlp.down`), when its nodes carry labels. */
  readonly block?: string;
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
   * packed-tensor word offsets), as 32-bit words; byte length a multiple of 16.
   *
   * @param packedOffsets - for each tensor of a multi-tensor binding, its byte offset (a multiple
   * of 4) from the start of the range bound to that binding; required when the kernel packs.
   * @throws InputError when a dim is unbound or out of range, or a packed tensor's offset is missing.
   */
  uniforms(dims: DimBindings, packedOffsets?: ReadonlyMap<Node, number>): Uint32Array<ArrayBuffer>;
}
