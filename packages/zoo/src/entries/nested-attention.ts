import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Nested Attention: the subject token s* of a text cross-attention takes a per-query value
 * v*_i = softmax(q_i K̃ᵀ/√d) Ṽ from a nested attention; out_i = Σ_{j≠s*} a_ij V_j + a_{i,s*} v*_i, with
 * the subject column's probability a_{i,s*} exported.
 *
 * Catalog paper 68: Nested Attention — query-dependent subject values.
 *
 * @example
 * ```ts
 * const nested = applyAttention(attention({ heads: 2, headDim: 16 }), { query, key: nestedKey, value: nestedValue });
 * const { output, sentinelWeight } = withSentinel(
 *   { output: outer.output, logSumExp: outer.logSumExp! },
 *   { logit: subjectLogit, value: nested.output },
 * );
 * ```
 */
export const nestedAttentionEntry = attentionZooEntry({
  id: 'nested-attention',
  mechanism: 'nested-attention',
  paper: { id: 68, title: 'Nested Attention — query-dependent subject values', group: 'G5' },
  description:
    '8 queries over 10 text tokens and a subject token valued by attention over 6 subject tokens, 2 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
