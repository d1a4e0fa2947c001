import type { Node } from '../graph/node.js';
import { maxElementCount } from '../shape.js';
import type { KernelPlan } from './kernel-plan.js';

/**
 * The tensors f16 storage keeps in 2 bytes per element: every `f32` tensor a kernel writes that is
 * not a graph output, and every `f32` parameter a kernel reads (the model's weights: a runtime
 * converts their values to f16 once, at upload). Graph inputs, constants and outputs stay f32, so
 * what the user writes and reads keeps its f32 layout at the program's boundary (the kernels round
 * those to f16 as they load and store them); the intermediates between kernels, which only kernels
 * see, and the weights, which the user hands over once, are stored as f16. Tensors declared `f16`
 * are 2 bytes anyway, and integer and bool tensors never change.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const graph = makeGraph({ y: exp(reduce('sum', exp(matmul(x, param('w', [8, 8]))), 1)) });
 * halfStoredTensors(planFusion(graph, { fuse: false })).size; // 4: the parameter, three intermediates
 * ```
 */
export function halfStoredTensors(plan: KernelPlan): Set<Node> {
  const graphOutputs = new Set(Object.values(plan.graph.outputs));
  const stored = new Set<Node>();
  for (const kernel of plan.kernels) {
    for (const read of kernel.inputs) {
      if (read.op === 'param' && read.dtype === 'f32' && !graphOutputs.has(read)) stored.add(read);
    }
    for (const output of kernel.outputs) {
      if (output.dtype === 'f32' && !graphOutputs.has(output)) stored.add(output);
    }
  }
  return stored;
}

/**
 * Bytes of a tensor of `node`'s shape (at its dims' maxima) stored as f16: 2 per element, rounded
 * up to whole 4-byte words, since WebGPU binds storage in multiples of 4 bytes and the emulation
 * (`pack2x16float`) packs two elements per `u32` word, so an odd count leaves half a word unused.
 *
 * @example
 * ```ts
 * halfStoredBytes(input('x', [3, 5])); // 32: 15 elements in 8 words (f32: 60 bytes)
 * ```
 */
export function halfStoredBytes(node: Node): number {
  return Math.ceil(maxElementCount(node.shape) / 2) * 4;
}
