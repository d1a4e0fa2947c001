/**
 * `@weft/attention/kernels`: the code-generation half of `@weft/attention` — the fused
 * flash-attention WGSL template, its strategy and tile choices, and {@link attention}, the
 * extension that `compile` (from `@weft/runtime`) and `graphFromJSON` (from `@weft/ir`) take to
 * handle `attention` nodes. Kept apart from the spec entry so that building graphs never loads the
 * code generator.
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention/kernels';
 * const graph = graphFromJSON(saved, { extensions: [attention] });
 * const program = await compile(graph, { device, extensions: [attention] });
 * ```
 *
 * @packageDocumentation
 */

import type { Attrs, OpDef } from '@weft/ir';
import type { KernelExtension } from '@weft/wgsl';
import { generateAttention } from './kernel/attention-template.js';
import { normalizerTable } from './normalizers/normalizer-table.js';
import { ATTENTION_OP } from './op/attention-attrs.js';
import { attentionOp, attentionOpForNormalizer } from './op/attention-op.js';

export {
  type AttentionStrategy,
  chooseAttentionStrategy,
  SPLIT_MAX_CHUNKS,
  SPLIT_MAX_QUERIES,
  SPLIT_MIN_KEYS_PER_CHUNK,
} from './kernel/attention-strategy.js';
export { generateAttention } from './kernel/attention-template.js';
export { type AttentionTiles, attentionTiles } from './kernel/tile-sizes.js';
export { ENTMAX_KERNEL_STEPS } from './normalizers/entmax.js';

/**
 * The definition of an `attention` node with attributes `attrs`, or `undefined` for another op:
 * the op of its normalizer (a built-in, or one made by `defineNormalizer` in this process).
 */
function resolveAttentionOp(op: string, attrs: Attrs): OpDef | undefined {
  if (op !== ATTENTION_OP) return undefined;
  const name = (attrs.normalizer as { readonly name?: unknown } | null | undefined)?.name;
  const def = typeof name === 'string' ? normalizerTable().get(name) : undefined;
  return def === undefined ? attentionOp : attentionOpForNormalizer(def);
}

/**
 * The attention extension: the `attention` op and its fused WGSL template. Pass it wherever a
 * graph with attention nodes is compiled or loaded: `compile(graph, { device, extensions: [attention] })`,
 * `graphFromJSON(json, { extensions: [attention] })`. `@weft/models` passes it itself.
 */
export const attention: KernelExtension = {
  name: 'attention',
  ops: [attentionOp],
  templates: { [ATTENTION_OP]: generateAttention },
  resolveOp: resolveAttentionOp,
};
