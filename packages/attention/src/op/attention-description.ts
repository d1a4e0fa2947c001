import type { Node } from '@weft/ir';
import { decodeAttentionNode } from './attention-node.js';

/**
 * Mask descriptions of attention nodes (`causal(bottom-right)`), recorded by `applyAttention`:
 * the node's attributes hold the mask as an Expr only. Weak, outside the node's hash.
 */
const maskDescriptions = new WeakMap<Node, string>();

/** Records the description of the mask an attention node was built with (first one wins). */
export function recordMaskDescription(node: Node, description: string): void {
  if (!maskDescriptions.has(node)) maskDescriptions.set(node, description);
}

/**
 * An attention node's main options for kernel labels: its mask (by description when known),
 * normalizer and, for the extra outputs, what it computes, e.g. `causal(bottom-right), softmax`.
 */
export function describeAttention(node: Node): string {
  const attrs = decodeAttentionNode(node);
  const mask = attrs.mask === null ? undefined : (maskDescriptions.get(node) ?? 'masked');
  return [mask, attrs.normalizer.name, attrs.output === 'output' ? undefined : attrs.output]
    .filter((part): part is string => part !== undefined)
    .join(', ');
}
