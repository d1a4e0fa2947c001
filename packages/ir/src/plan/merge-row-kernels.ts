import type { Node } from '../graph/node.js';
import type { KernelDraft } from './kernel-draft.js';
import { readsOwnRow, reductionDomain, sameDomain } from './reduction-domain.js';

/**
 * Merges a `row` kernel into the first later kernel that reads it when that kernel is a `row`
 * kernel of the same domain: one kernel then computes every statistic of the rows and writes
 * several per-row values (AdaLIN's layer mean and variance, which its instance kernel reads). The
 * merged kernel takes the later one's place: no kernel in between reads the earlier one's outputs,
 * and its inputs were written before. A node of the later kernel that uses the earlier one's
 * outputs must read them in its own row ({@link readsOwnRow}), since it now computes them rather
 * than loading them. Outputs only the later kernel read stop being written.
 *
 * @param graphOutputs - the graph's outputs (always written).
 * @param sort - orders nodes topologically.
 */
export function mergeRowKernels(
  kernels: readonly KernelDraft[],
  graphOutputs: ReadonlySet<Node>,
  sort: (nodes: Iterable<Node>) => Node[],
): KernelDraft[] {
  const result = [...kernels];
  for (let index = 0; index < result.length; index++) {
    const earlier = result[index]!;
    if (earlier.template !== 'row') continue;
    const written = new Set(earlier.outputs);
    const readerIndex = result.findIndex(
      (kernel, position) => position > index && kernel.inputs.some((input) => written.has(input)),
    );
    if (readerIndex < 0) continue;
    const later = result[readerIndex]!;
    if (!canMerge(earlier, later)) continue;
    const others = result.filter((_, position) => position !== index && position !== readerIndex);
    const stillRead = (node: Node): boolean =>
      graphOutputs.has(node) || others.some((kernel) => kernel.inputs.includes(node));
    result[readerIndex] = {
      template: 'row',
      anchor: later.anchor,
      nodes: sort(new Set([...earlier.nodes, ...later.nodes])),
      inputs: sort(new Set([...earlier.inputs, ...later.inputs.filter((input) => !written.has(input))])),
      outputs: sort(new Set([...earlier.outputs.filter(stillRead), ...later.outputs])),
    };
    result.splice(index, 1);
    index--;
  }
  return result;
}

function canMerge(earlier: KernelDraft, later: KernelDraft): boolean {
  if (later.template !== 'row') return false;
  const domain = reductionDomain(earlier.anchor);
  const laterDomain = reductionDomain(later.anchor);
  if (domain === undefined || laterDomain === undefined || !sameDomain(domain, laterDomain)) return false;
  const carriers = new Set(earlier.outputs);
  for (const node of later.nodes) {
    const carried = node.inputs.filter((operand) => carriers.has(operand));
    if (carried.length === 0) continue;
    if (!carried.every((operand) => readsOwnRow(domain, node, operand))) return false;
    carriers.add(node);
  }
  return true;
}
