import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * The per-dimension magnitudes of Q and K in which massive values show: for each head and dimension
 * the L2 norm over the tokens, before and after the spec's RoPE (what the score's dot product sees).
 *
 * Catalog paper 92: Massive values in self-attention (Q/K concentrated massive values, caused by RoPE).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, positions: rope() });
 * const { query, rotatedQuery } = queryKeyMagnitudes(spec, { query: q, key: k }); // [batch, heads, headDim]
 * ```
 */
export const massiveValuesQkNormsEntry = attentionZooEntry({
  id: 'massive-values-qk-norms',
  mechanism: 'massive-values-qk-norms',
  paper: {
    id: 92,
    title: 'Massive values in self-attention (Q/K concentrated massive values, caused by RoPE)',
    group: 'G7',
  },
  description: 'Per-dimension L2 norms over 24 tokens of Q and K (4 heads × dim 16), before and after RoPE.',
  tolerance: DEFAULT_TOLERANCE,
});
