import type { KernelBinding } from '@weft/wgsl';

/**
 * The bind group layout entries of a kernel, one per binding it declares. The layout is explicit,
 * not `'auto'`: an automatic layout leaves out a binding the shader never reads (a map whose body
 * uses only the index, a readout that ignores an operand), and the program, which binds every
 * tensor the kernel declares, would then fail bind group validation.
 */
export function bindGroupLayoutEntries(bindings: readonly KernelBinding[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((binding) => ({
    binding: binding.binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: {
      type:
        binding.kind === 'uniform' ? 'uniform' : binding.access === 'read' ? 'read-only-storage' : 'storage',
    },
  }));
}
