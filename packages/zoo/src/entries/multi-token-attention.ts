import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Multi-Token Attention: the causally masked logits (0 where masked) convolved over (query, key)
 * by a per-head c_q×c_k kernel (causal over queries, centred over keys), the −∞ mask again and the
 * softmax, post-softmax head mixing in groups of c_h heads (A_g · W_g), O = A V and the per-head
 * group norm. Two kernels (row statistics, then normalize, mix and multiply V); no N×N buffer.
 *
 * Catalog paper 43: Multi-Token Attention.
 *
 * @example
 * ```ts
 * const scoreMap = multiTokenConvolution({ queryKernel: 6, keyKernel: 11, headMixing: { groupSize: 2 }, groupNorm: true });
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, mask: causal(), scoreMap }), { query, key, value });
 * ```
 */
export const multiTokenAttentionEntry = attentionZooEntry({
  id: 'multi-token-attention',
  mechanism: 'multi-token-attention',
  paper: { id: 43, title: 'Multi-Token Attention (Golovneva et al.)', group: 'G5' },
  description:
    'Causal self-attention, 4 heads × 12 tokens × dim 8: 3×5 key–query convolution, post-softmax head mixing c_h = 2, group norm.',
  tolerance: DEFAULT_TOLERANCE,
});
