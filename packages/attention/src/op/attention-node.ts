import type { Node } from '@weft/ir';
import { BUILTIN_NORMALIZER_TABLE } from '../normalizers/normalizer-table.js';
import { type AttentionAttrs, decodeAttention } from './attention-attrs.js';
import type { AttentionOpDef } from './attention-op.js';

/**
 * The decoded attributes of attention node `node`, its normalizer's def looked up in the table of
 * the op the node carries (built-ins, or built-ins and a user-defined normalizer).
 */
export function decodeAttentionNode(node: Node): AttentionAttrs {
  const normalizers = (node.def as Partial<AttentionOpDef>).normalizers ?? BUILTIN_NORMALIZER_TABLE;
  return decodeAttention(node.attrs, normalizers);
}
