import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * 1.5-entmax attention: a sparse normalizer between softmax (α = 1) and sparsemax (α = 2).
 *
 * Catalog paper 90: Adaptively Sparse Transformers — α-entmax (Correia, Niculae, Martins, EMNLP 2019).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), normalizer: entmax({ alpha: 1.5 }) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const entmax15Entry = attentionZooEntry({
  id: 'entmax-1-5',
  mechanism: 'entmax-1.5',
  paper: {
    id: 90,
    title: 'Adaptively Sparse Transformers — α-entmax (Correia, Niculae, Martins, EMNLP 2019)',
    group: 'G2',
  },
  description: 'Causal 1.5-entmax attention, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
