import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Softmax with a learned per-head sink logit in the denominator, so a head may attend to nothing:
 * w_ij = exp(s_ij) / (exp(σ_h) + Σ_k exp(s_ik)), the sink σ_h a logit with no value (gpt-oss;
 * σ = 0 is the "off-by-one" softmax). Not a catalog paper.
 *
 * It is not catalog paper 25 (Unveiling and Harnessing Hidden Attention Sinks — ACT, Yu et al.),
 * which Weft does not support: ACT is a training-free edit of the softmax probabilities of
 * calibrated heads — column scores c_j = Σ_i A_ij / (n − j) over all queries, the sink set
 * S = {j : c_j > τ} minus its first element, then per row the weight of S scaled by β and the
 * freed mass (1 − β)·Σ_{j∈S} A_ij spread over the other keys in proportion to their weights. The
 * column statistics need every query's probabilities before any output row is final (three passes,
 * prefill only), and the attention kernel is a single pass over the keys of each query row.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), normalizer: softmax({ sink: tensorRef('sink', [4]) }) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const softmaxSinkEntry = attentionZooEntry({
  id: 'softmax-sink',
  mechanism: 'softmax-sink',
  paper: {
    id: null,
    title:
      'Learned sink logit — gpt-oss (OpenAI 2025), "off-by-one" softmax (Miller 2023); not a catalog paper',
    group: 'G6',
  },
  description:
    'Causal attention whose softmax has per-head sinks 0, 0.5, 1 and −1, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
