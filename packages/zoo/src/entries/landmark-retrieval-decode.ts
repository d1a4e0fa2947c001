import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Landmark Attention's inference form, one decode step over a KV cache of 10 blocks of ℓ = 7 tokens
 * plus a landmark: per head the query scores the landmark keys of the complete previous blocks, the
 * top 2 are gathered on the device with the current block, and the grouped softmax (a softmax over
 * the retrieved landmarks and the current block's tokens, times the softmax within each retrieved
 * block) runs over them. No positions (the reference re-rotates retrieved blocks; not built).
 *
 * Catalog paper 66: Landmark Attention — random-access infinite context length for transformers
 * (Mohtashami & Jaggi 2023).
 *
 * @example
 * ```ts
 * const { output, selected } = landmarkRetrieval({ query, key, value, position }, { blockSize: 7, topK: 2 });
 * ```
 */
export const landmarkRetrievalDecodeEntry = attentionZooEntry({
  id: 'landmark-retrieval-decode',
  mechanism: 'landmark-retrieval-decode',
  paper: {
    id: 66,
    title:
      'Landmark Attention — random-access infinite context length for transformers (Mohtashami & Jaggi 2023)',
    group: 'G2',
  },
  description:
    'Landmark retrieval decode step: top 2 of 9 cached blocks (ℓ = 7) by landmark score, grouped softmax, 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
