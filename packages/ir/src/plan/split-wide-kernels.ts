import type { Node } from '../graph/node.js';
import type { KernelDraft } from './kernel-draft.js';

/**
 * Default cap on a kernel's outputs: WebGPU's default `maxStorageBuffersPerShaderStage` (8) less
 * one binding for the inputs (packed into one buffer when bindings run short).
 */
export const DEFAULT_MAX_KERNEL_OUTPUTS = 7;

/**
 * Splits every `elementwise` kernel with more than `maxOutputs` outputs into kernels of at most
 * `maxOutputs` outputs each: each part computes the cone of its outputs (nodes shared by several
 * parts are recomputed, as for any cheap shared value) and reads the original inputs it needs.
 * Other templates keep their outputs (their extra outputs are few by construction).
 */
export function splitWideKernels(kernels: readonly KernelDraft[], maxOutputs: number): KernelDraft[] {
  const cap = Math.max(1, Math.floor(maxOutputs));
  return kernels.flatMap((kernel) =>
    kernel.template !== 'elementwise' || kernel.outputs.length <= cap ? [kernel] : split(kernel, cap),
  );
}

function split(kernel: KernelDraft, cap: number): KernelDraft[] {
  const members = new Set(kernel.nodes);
  const inputs = new Set(kernel.inputs);
  const parts: KernelDraft[] = [];
  for (let start = 0; start < kernel.outputs.length; start += cap) {
    const outputs = kernel.outputs.slice(start, start + cap);
    const cone = new Set<Node>();
    const read = new Set<Node>();
    const stack = [...outputs];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (cone.has(node)) continue;
      cone.add(node);
      for (const operand of node.inputs) {
        if (members.has(operand) && !inputs.has(operand)) stack.push(operand);
        else read.add(operand);
      }
    }
    parts.push({
      template: 'elementwise',
      anchor: outputs[outputs.length - 1]!,
      // Keep the kernel's topological order.
      nodes: kernel.nodes.filter((node) => cone.has(node)),
      inputs: kernel.inputs.filter((node) => read.has(node)),
      outputs,
    });
  }
  return parts;
}
