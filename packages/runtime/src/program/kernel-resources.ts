import type { DimBindings, Node } from '@weft/ir';
import type { GeneratedKernel, KernelBinding } from '@weft/wgsl';
import type { GraphSignature } from './graph-signature.js';

/** What one kernel of a GPU program runs with: its pipeline, bind group and own buffers. */
export interface KernelResources {
  readonly kernel: GeneratedKernel;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly uniformBuffer: GPUBuffer | undefined;
  /**
   * For kernels that pack several inputs into one binding: a side buffer holding copies of them,
   * and the copies to make before the dispatch. (The packed binding is one `read` binding, and a
   * range of the arena cannot be bound read-only while the kernel writes another range of it.)
   */
  readonly packed: PackedInputs | undefined;
}

/** The packed input buffer of a kernel, the copies that fill it and where each tensor lies in it. */
export interface PackedInputs {
  readonly buffer: GPUBuffer;
  readonly copies: readonly {
    readonly source: GPUBuffer;
    readonly from: number;
    readonly to: number;
    readonly bytes: number;
  }[];
  readonly offsets: ReadonlyMap<Node, number>;
}

/** Where the program keeps each tensor (see `GpuProgram`). */
export interface TensorPlacement {
  /** The buffer holding `node` and its offset there. */
  locate(node: Node): { readonly buffer: GPUBuffer; readonly offset: number };
  /** The bytes of `node`'s slot in the memory plan. */
  bytes(node: Node): number;
}

/**
 * Creates the bind group of `kernel` over the program's buffers, its uniform buffer (sized for the
 * largest lengths of `signature`) and, where its inputs are packed, the packed buffer.
 */
export function kernelResources(
  device: GPUDevice,
  kernel: GeneratedKernel,
  pipeline: GPUComputePipeline,
  signature: GraphSignature,
  placement: TensorPlacement,
): KernelResources {
  const packedBinding = kernel.bindings.find(
    (binding) => binding.kind === 'storage' && binding.tensors.length > 1,
  );
  const packed =
    packedBinding?.kind === 'storage'
      ? packedInputs(device, kernel, packedBinding.tensors, placement)
      : undefined;
  const maximumDims = maxDims(signature);
  let uniformBuffer: GPUBuffer | undefined;
  const entries: GPUBindGroupEntry[] = kernel.bindings.map((binding: KernelBinding) => {
    if (binding.kind === 'uniform') {
      uniformBuffer = device.createBuffer({
        label: `${kernel.label}-params`,
        size: Math.max(16, kernel.uniforms(maximumDims, packed?.offsets).byteLength),
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      return { binding: binding.binding, resource: { buffer: uniformBuffer } };
    }
    if (binding.tensors.length > 1) return { binding: binding.binding, resource: { buffer: packed!.buffer } };
    const tensor = binding.tensors[0]!;
    const { buffer, offset } = placement.locate(tensor);
    return {
      binding: binding.binding,
      resource: { buffer, offset, size: align4(placement.bytes(tensor)) },
    };
  });
  const bindGroup = device.createBindGroup({
    label: kernel.label,
    layout: pipeline.getBindGroupLayout(0),
    entries,
  });
  return { kernel, pipeline, bindGroup, uniformBuffer, packed };
}

function packedInputs(
  device: GPUDevice,
  kernel: GeneratedKernel,
  tensors: readonly Node[],
  placement: TensorPlacement,
): PackedInputs {
  const offsets = new Map<Node, number>();
  const copies: { source: GPUBuffer; from: number; to: number; bytes: number }[] = [];
  let size = 0;
  for (const tensor of tensors) {
    const bytes = placement.bytes(tensor);
    const { buffer, offset } = placement.locate(tensor);
    offsets.set(tensor, size);
    copies.push({ source: buffer, from: offset, to: size, bytes: align4(bytes) });
    size += align4(bytes);
  }
  const buffer = device.createBuffer({
    label: `${kernel.label}-packed`,
    size: Math.max(16, size),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  return { buffer, copies, offsets };
}

/** `bytes` rounded up to a multiple of 4 (copies and bindings need 4-byte sizes). */
export function align4(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

function maxDims(signature: GraphSignature): DimBindings {
  return Object.fromEntries([...signature.dims.values()].map((dim) => [dim.name, dim.max]));
}
