import type { Node } from '../graph/node.js';
import { shapesEqual } from '../shape.js';
import type { KernelDraft } from './kernel-draft.js';

/**
 * Merges `elementwise` kernels of one iteration space (the same anchor shape) that do not depend
 * on each other into one kernel with several outputs: one dispatch writes both (a decoder step's
 * K- and V-cache updates). The later kernel joins the earlier one when its inputs are all written
 * before the earlier one's place; otherwise the earlier one joins the later one when no kernel in
 * between reads its outputs. Either way every kernel still reads only what earlier kernels wrote.
 */
export function mergeSiblingKernels(
  kernels: readonly KernelDraft[],
  sort: (nodes: Iterable<Node>) => Node[],
): KernelDraft[] {
  const result = [...kernels];
  // Which kernel writes each tensor (by position in `result`), refreshed after each merge: the
  // checks below run for many sibling pairs, and lookups keep them linear in the kernels between.
  let producer = producersOf(result);
  for (let first = 0; first < result.length; first++) {
    for (let second = first + 1; second < result.length; second++) {
      const earlier = result[first]!;
      const later = result[second]!;
      if (!siblings(earlier, later)) continue;
      const readyEarly = later.inputs.every(
        (input) => input.inputs.length === 0 || (producer.get(input) ?? first) < first,
      );
      let unreadBetween = true;
      for (let between = first + 1; between < second && unreadBetween; between++) {
        unreadBetween = !result[between]!.inputs.some((input) => producer.get(input) === first);
      }
      if (!readyEarly && !unreadBetween) continue;
      const merged: KernelDraft = {
        template: 'elementwise',
        anchor: earlier.anchor,
        nodes: sort(new Set([...earlier.nodes, ...later.nodes])),
        inputs: sort(new Set([...earlier.inputs, ...later.inputs])),
        outputs: sort(new Set([...earlier.outputs, ...later.outputs])),
      };
      if (readyEarly) {
        result[first] = merged;
        result.splice(second, 1);
      } else {
        result[second] = merged;
        result.splice(first, 1);
      }
      producer = producersOf(result);
      first--;
      break;
    }
  }
  return result;
}

function producersOf(kernels: readonly KernelDraft[]): Map<Node, number> {
  const producer = new Map<Node, number>();
  kernels.forEach((kernel, position) => {
    for (const output of kernel.outputs) producer.set(output, position);
  });
  return producer;
}

function siblings(earlier: KernelDraft, later: KernelDraft): boolean {
  return (
    earlier.template === 'elementwise' &&
    later.template === 'elementwise' &&
    shapesEqual(earlier.anchor.shape, later.anchor.shape) &&
    !later.inputs.some((input) => earlier.outputs.includes(input))
  );
}
