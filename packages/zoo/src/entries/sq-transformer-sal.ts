import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * SQ-Transformer's Systematic Attention Layer: SoVQ's nearest-code lookup x̂ as IR ops, scores from
 * the quantized stream with Shaw relative keys (a score mod reading q̂·r^K at the clipped offset),
 * one score matrix over two value streams [xW_V | x̂W_V], and Shaw relative values from the
 * kernel's relative-offset mass readout.
 *
 * Catalog paper 46: SQ-Transformer — structurally quantized embeddings (SoVQ + SAL).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 8, valueDim: 16, score, outputs: { relativeMass: 4 } });
 * const result = applyAttention(spec, { query, key, value: concat([realValues, quantizedValues], 3), tensors });
 * const output = add(result.output, concat([matmul(result.relativeMass!, rV), matmul(result.relativeMass!, rV)], 3));
 * ```
 */
export const sqTransformerSalEntry = attentionZooEntry({
  id: 'sq-transformer-sal',
  mechanism: 'sq-transformer-sal',
  paper: { id: 46, title: 'SQ-Transformer — structurally quantized embeddings (SoVQ + SAL)', group: 'G5' },
  description:
    'SAL with SoVQ over 8 codes, Shaw relative keys and values (K = 4), two value streams, 4 heads × 24 tokens × dim 8.',
  tolerance: DEFAULT_TOLERANCE,
});
