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
import { generateMultiToken } from './kernel/multi-token-template.js';
import { generateSparseKThreshold } from './kernel/sparsek-threshold-template.js';
import type { NormalizerBuilder } from './normalizers/define-normalizer.js';
import type { AnyNormalizerDef } from './normalizers/normalizer-def.js';
import { BUILTIN_NORMALIZER_TABLE, type NormalizerTable } from './normalizers/normalizer-table.js';
import { ATTENTION_OP } from './op/attention-attrs.js';
import { attentionOp, attentionOpForNormalizer } from './op/attention-op.js';
import { MULTI_TOKEN_OP } from './op/multi-token-attrs.js';
import { multiTokenOp } from './op/multi-token-op.js';
import { SPARSEK_THRESHOLD_OP, sparseKThresholdOp } from './op/sparsek-threshold-op.js';

export {
  type AttentionStrategy,
  chooseAttentionStrategy,
  SPLIT_MAX_CHUNKS,
  SPLIT_MAX_QUERIES,
  SPLIT_MIN_KEYS_PER_CHUNK,
} from './kernel/attention-strategy.js';
export { generateAttention } from './kernel/attention-template.js';
export { generateMultiToken } from './kernel/multi-token-template.js';
export { generateSparseKThreshold } from './kernel/sparsek-threshold-template.js';
export { type AttentionTiles, attentionTiles } from './kernel/tile-sizes.js';
export { ENTMAX_KERNEL_STEPS } from './normalizers/entmax.js';

/** Options of {@link attentionExtension}. */
export interface AttentionExtensionOptions {
  /** Normalizers made by `defineNormalizer` that saved graphs may use (their builders or defs). */
  readonly normalizers?: readonly (NormalizerBuilder<never> | AnyNormalizerDef)[];
}

/**
 * The attention extension: the `attention` op and its fused WGSL template (and those of the
 * Multi-Token and SparseK threshold ops), and the normalizers of
 * your own that graphs read from JSON may use (`graphFromJSON` finds an attention node's normalizer
 * among the built-ins and these; compiling a graph you built needs none of them, since its nodes
 * carry their op). Two normalizers of one name are refused with a `SpecError`.
 *
 * @example
 * ```ts
 * const reluAttention = defineNormalizer(rowLocalNormalizer({ name: 'myorg.relu', weight: (s) => s.max(0) }));
 * const extension = attentionExtension({ normalizers: [reluAttention] });
 * const program = await compile(graphFromJSON(saved, { extensions: [extension] }), { device, extensions: [extension] });
 * ```
 */
export function attentionExtension(options: AttentionExtensionOptions = {}): KernelExtension {
  const table = (options.normalizers ?? []).reduce<NormalizerTable>(
    (known, normalizer) =>
      known.with(
        'def' in normalizer && typeof normalizer === 'function'
          ? normalizer.def
          : (normalizer as AnyNormalizerDef),
      ),
    BUILTIN_NORMALIZER_TABLE,
  );
  return {
    name: 'attention',
    ops: [attentionOp, multiTokenOp, sparseKThresholdOp],
    templates: {
      [ATTENTION_OP]: generateAttention,
      [MULTI_TOKEN_OP]: generateMultiToken,
      [SPARSEK_THRESHOLD_OP]: generateSparseKThreshold,
    },
    // An unknown normalizer gets the base op, whose decoding names it and says how to load it.
    resolveOp(op: string, attrs: Attrs): OpDef | undefined {
      if (op !== ATTENTION_OP) return undefined;
      const name = (attrs.normalizer as { readonly name?: unknown } | null | undefined)?.name;
      const def = typeof name === 'string' ? table.get(name) : undefined;
      return def === undefined || BUILTIN_NORMALIZER_TABLE.has(def)
        ? attentionOp
        : attentionOpForNormalizer(def);
    },
  };
}

/**
 * The attention extension with the built-in normalizers: pass it wherever a graph with attention
 * nodes is compiled or loaded: `compile(graph, { device, extensions: [attention] })`,
 * `graphFromJSON(json, { extensions: [attention] })`. `@weft/models` passes it itself.
 */
export const attention: KernelExtension = attentionExtension();
