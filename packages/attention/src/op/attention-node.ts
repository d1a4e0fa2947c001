import type { Node } from '@weft/ir';
import { type AttentionAttrs, decodeAttention } from './attention-attrs.js';

/**
 * The decoded attributes of attention node `node`, its normalizer's def looked up in the table of
 * the normalizers its op knows.
 */
export function decodeAttentionNode(node: Node): AttentionAttrs {
  return decodeAttention(node.attrs);
}
