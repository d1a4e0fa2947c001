import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Loki's low-rank key selection: keys and queries projected onto the leading principal directions
 * of calibration keys (PCA on the host, offline), each query keeps its top-scoring causal keys by
 * these approximate scores and attends exactly over them. The selection is built on the device by
 * graph ops; the attention kernel skips the 32 × 32 tiles no query keeps.
 *
 * Catalog paper 59: Loki: Low-Rank Keys for Efficient Sparse Attention (Singhania et al., NeurIPS 2024).
 *
 * @example
 * ```ts
 * const projection = input('projection', [16, 4]); // 4 leading principal directions of the keys
 * const spec = attention({ heads: 2, headDim: 16, mask: and(causal(), lokiSelection({ projection, topK: 32 })) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const lokiEntry = attentionZooEntry({
  id: 'loki',
  mechanism: 'loki',
  paper: {
    id: 59,
    title: 'Loki: Low-Rank Keys for Efficient Sparse Attention (Singhania et al.)',
    group: 'G6',
  },
  description:
    'Loki: keys scored in 4 of 16 principal directions (host PCA of calibration keys), top 32 causal keys per query kept, exact causal attention over them, 2 heads × 128 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
