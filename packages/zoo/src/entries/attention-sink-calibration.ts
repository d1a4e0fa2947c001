import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * ACT's training-free attention-sink calibration of causal softmax attention: column scores
 * c_j = Σ_i A_ij / (n − j) (the mean attention key j receives from the queries that see it), the
 * sink set S = {j : c_j > τ} without its first element, and per row the sinks' weight scaled by β,
 * the freed (1 − β)·Σ_{j∈S} A_ij spread over the other keys in proportion to their weights. On the
 * device: the attention with its log-sum-exp, the column sums (a transposed attention kernel), the
 * sink table, the attention that masks S, and O = β·O + (1 − β)·O_rest.
 *
 * Catalog paper 25: Unveiling and Harnessing Hidden Attention Sinks — ACT (Yu et al., ICML 2024).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal() });
 * const { output } = attentionSinkCalibration(spec, { query, key, value }, { threshold: 0.1, beta: 0.4, heads: [0, 2, 3] });
 * ```
 */
export const attentionSinkCalibrationEntry = attentionZooEntry({
  id: 'attention-sink-calibration',
  mechanism: 'attention-sink-calibration',
  paper: {
    id: 25,
    title:
      'Unveiling and Harnessing Hidden Attention Sinks: training-free attention calibration (ACT, Yu et al., ICML 2024)',
    group: 'G6',
  },
  description:
    'ACT on causal attention, 4 heads × 32 positions × dim 16 with sink keys 0, 5, 13: τ 0.1, β 0.4, heads 0, 2, 3 calibrated (S = {5, 13}).',
  tolerance: DEFAULT_TOLERANCE,
});
