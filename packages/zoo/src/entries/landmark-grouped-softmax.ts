import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Landmark Attention's grouped softmax (training form): a landmark key closes every block of ℓ = 5
 * regular keys; query i takes a softmax over the landmarks of previous blocks and the regular keys
 * of its own block, and each previous block's regular keys share their landmark's probability
 * through a softmax within the block. Landmark values are never mixed in. Causal.
 *
 * Catalog paper 66: Landmark Attention — random-access infinite context length for transformers
 * (Mohtashami & Jaggi 2023).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), normalizer: groupedSoftmax({ blockSize: 5 }) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const landmarkGroupedSoftmaxEntry = attentionZooEntry({
  id: 'landmark-grouped-softmax',
  mechanism: 'landmark-grouped-softmax',
  paper: {
    id: 66,
    title:
      'Landmark Attention — random-access infinite context length for transformers (Mohtashami & Jaggi 2023)',
    group: 'G2',
  },
  description:
    'Causal landmark grouped softmax, blocks of 5 keys plus a landmark, 4 heads × 37 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
