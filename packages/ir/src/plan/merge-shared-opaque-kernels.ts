import type { Node } from '../graph/node.js';
import { defOf } from './def-of.js';
import type { KernelDraft } from './kernel-draft.js';

/**
 * Merges the kernels of opaque nodes that one pass of their template computes together (see
 * `OpDef.sharedKernelKey`: attention's output and its row log-sum-exp): one kernel writes them
 * all. The merged kernel takes the earlier one's place, which stays valid: both read the same
 * operands, written before either.
 */
export function mergeSharedOpaqueKernels(
  kernels: readonly KernelDraft[],
  sort: (nodes: Iterable<Node>) => Node[],
): KernelDraft[] {
  const result: KernelDraft[] = [];
  const byKey = new Map<string, number>();
  for (const kernel of kernels) {
    const key = sharedKey(kernel.anchor);
    const index = key === undefined ? undefined : byKey.get(key);
    if (key === undefined || index === undefined) {
      if (key !== undefined) byKey.set(key, result.length);
      result.push(kernel);
      continue;
    }
    const earlier = result[index]!;
    result[index] = {
      ...earlier,
      nodes: sort(new Set([...earlier.nodes, ...kernel.nodes])),
      outputs: sort(new Set([...earlier.outputs, ...kernel.outputs])),
      ...mergedViews(earlier, kernel),
    };
  }
  return result;
}

/** The op, its operands (by identity) and the op's own key; `undefined` for nodes that share nothing. */
function sharedKey(node: Node): string | undefined {
  const def = defOf(node);
  if (def.fusion !== 'opaque') return undefined;
  const key = def.sharedKernelKey?.(node);
  return key === undefined
    ? undefined
    : `${def.name}(${node.inputs.map((input) => input.hash).join(',')})${key}`;
}

/** The strided views of both kernels (each result's own, the operands' shared). */
function mergedViews(earlier: KernelDraft, later: KernelDraft): Pick<KernelDraft, 'views'> {
  if (earlier.views === undefined && later.views === undefined) return {};
  return { views: new Map([...(earlier.views ?? []), ...(later.views ?? [])]) };
}
