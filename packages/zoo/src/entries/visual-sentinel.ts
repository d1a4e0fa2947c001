import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Adaptive attention with a visual sentinel: additive scores z_ti = w_hᵀ tanh(W_v v_i + W_g h_t) over
 * the regions in the fused kernel, and the sentinel s_t as one more per-step slot with logit
 * w_hᵀ tanh(W_s s_t + W_g h_t), merged through the log-sum-exp: ĉ_t = β_t s_t + (1 − β_t) c_t, β_t exported.
 *
 * Catalog paper 108: Knowing When to Look (Lu et al., CVPR 2017).
 *
 * @example
 * ```ts
 * const attended = applyAttention(attention({ heads: 2, headDim: 16, score, outputs: { logSumExp: true } }), operands);
 * const { output, sentinelWeight } = withSentinel(
 *   { output: attended.output, logSumExp: attended.logSumExp! },
 *   { logit: sentinelLogit, value: sentinel },
 * );
 * ```
 */
export const visualSentinelEntry = attentionZooEntry({
  id: 'visual-sentinel',
  mechanism: 'visual-sentinel',
  paper: {
    id: 108,
    title: 'Knowing When to Look: adaptive attention with a visual sentinel (Lu et al.)',
    group: 'G5',
  },
  description:
    'Additive scores over 12 regions plus a per-step sentinel slot, 2 heads × 6 steps × dim 16, C = 8.',
  tolerance: DEFAULT_TOLERANCE,
});
