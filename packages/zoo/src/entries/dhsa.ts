import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * DHSA with the chunk boundaries as an input (segment ids, in place of the paper's boundary
 * predictor): chunk representations √|C|·mean of the queries and keys, chunk scores upsampled to
 * tokens, the top-k causal keys per query kept (whole chunks), attention over the kept pairs. The
 * selection is built on the device and pooled into a tile table; the kernel skips empty tiles.
 *
 * Catalog paper 30: DHSA — Dynamic Hierarchical Sparse Attention (Xiong et al. 2025).
 *
 * @example
 * ```ts
 * const { output } = dynamicHierarchicalSparseAttention({ query, key, value, chunkIds }, { chunks: 8, topK: 64 });
 * ```
 */
export const dhsaEntry = attentionZooEntry({
  id: 'dhsa',
  mechanism: 'dhsa',
  paper: { id: 30, title: 'DHSA — Dynamic Hierarchical Sparse Attention (Xiong et al. 2025)', group: 'G6' },
  description:
    'DHSA over 8 given chunks of 9 to 52 tokens (ids as an input; no boundary predictor): chunk means scaled by √(chunk length), chunk scores, top 64 causal keys per query, 2 heads × 256 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
