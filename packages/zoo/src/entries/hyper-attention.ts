import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * HyperAttention's non-causal forward: sortLSH (hash perm[Σ_b 2^b·1[x·P_b > 0]] with Gaussian
 * projections P and the Gray-code order perm, a stable sort of queries and keys by hash, ranks
 * counted on the device), exact attention in the diagonal blocks of the sorted order (the kernel
 * skips the other tiles), the residual over m uniformly sampled keys (−∞ in the query's own block,
 * LSE + log(n/m)), merged by log-sum-exp and put back in the input order.
 *
 * Catalog paper 18: HyperAttention: Long-context Attention in Near-Linear Time (Han et al. 2023).
 *
 * @example
 * ```ts
 * const { output } = hyperAttention({ query, key, value }, { blockSize: 256, projections, samples });
 * ```
 */
export const hyperAttentionEntry = attentionZooEntry({
  id: 'hyper-attention',
  mechanism: 'hyper-attention',
  paper: {
    id: 18,
    title: 'HyperAttention: Long-context Attention in Near-Linear Time (Han et al. 2023), non-causal forward',
    group: 'G6',
  },
  description:
    'Non-causal HyperAttention, 2 heads × 128 positions × dim 16: 3 seeded Gaussian projections, 4 sorted blocks of 32, 32 sampled keys.',
  tolerance: DEFAULT_TOLERANCE,
});
