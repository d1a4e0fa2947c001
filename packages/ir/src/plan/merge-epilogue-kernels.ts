import type { Node } from '../graph/node.js';
import { epilogueLayout } from './epilogue-layout.js';
import type { KernelDraft } from './kernel-draft.js';

/**
 * Merges an `elementwise` kernel that only reads sources and the outputs of one earlier `matmul`
 * kernel into that kernel, as more epilogue outputs, when the combined epilogue still places each
 * value at one matmul element ({@link epilogueLayout}): adaLN-Zero's gate, a slice of the
 * conditioning matmul that the norm kernel also reads, is written by the matmul kernel instead of
 * a copy kernel. The merged kernel keeps the matmul kernel's place: the elementwise kernel's inputs
 * are ready there, and its readers came after it anyway. Outputs only the elementwise kernel read
 * stop being written.
 *
 * @param graphOutputs - the graph's outputs (always written).
 * @param sort - orders nodes topologically.
 */
export function mergeEpilogueKernels(
  kernels: readonly KernelDraft[],
  graphOutputs: ReadonlySet<Node>,
  sort: (nodes: Iterable<Node>) => Node[],
): KernelDraft[] {
  const result = [...kernels];
  for (let index = result.length - 1; index >= 0; index--) {
    const elementwise = result[index]!;
    if (elementwise.template !== 'elementwise') continue;
    const computed = elementwise.inputs.filter((input) => input.inputs.length > 0);
    if (computed.length === 0) continue;
    const producerIndex = result.findIndex((kernel) => kernel.outputs.includes(computed[0]!));
    const producer = result[producerIndex];
    if (producer === undefined || producer.template !== 'matmul') continue;
    if (!computed.every((input) => producer.outputs.includes(input))) continue;
    const nodes = sort(new Set([...producer.nodes, ...elementwise.nodes]));
    const epilogue = dependentsOf(nodes, producer.anchor);
    if (!elementwise.outputs.every((output) => epilogue.includes(output))) continue;
    if (epilogueLayout(producer.anchor, epilogue) === undefined) continue;
    const others = result.filter((_, position) => position !== index && position !== producerIndex);
    const stillRead = (node: Node): boolean =>
      graphOutputs.has(node) || others.some((kernel) => kernel.inputs.includes(node));
    result[producerIndex] = {
      template: 'matmul',
      anchor: producer.anchor,
      nodes,
      inputs: sort(
        new Set([...producer.inputs, ...elementwise.inputs.filter((input) => input.inputs.length === 0)]),
      ),
      outputs: sort(new Set([...producer.outputs.filter(stillRead), ...elementwise.outputs])),
    };
    result.splice(index, 1);
  }
  return result;
}

/** Nodes of `nodes` (topologically sorted) that depend on `node`. */
function dependentsOf(nodes: readonly Node[], node: Node): Node[] {
  const found = new Set<Node>();
  for (const member of nodes) {
    if (member.inputs.some((input) => input === node || found.has(input))) found.add(member);
  }
  return [...found];
}
