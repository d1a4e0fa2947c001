import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Softmax with a learned per-head sink logit in the denominator, so a head may attend to nothing:
 * w_ij = exp(s_ij) / (exp(σ_h) + Σ_k exp(s_ik)), the sink σ_h a logit with no value (gpt-oss;
 * σ = 0 is the "off-by-one" softmax). Not a catalog paper.
 *
 * It is not catalog paper 25 (Unveiling and Harnessing Hidden Attention Sinks — ACT, Yu et al.),
 * whose entry is `attention-sink-calibration`: ACT edits the softmax probabilities of calibrated
 * heads after the fact — column scores c_j = Σ_i A_ij / (n − j) over all queries, the sink set
 * S = {j : c_j > τ} minus its first element, then per row the weight of S scaled by β and the freed
 * mass spread over the other keys — while the sink logit here is a learned term of the denominator.
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
