import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * The attention penalty of Pruthi et al.: the [CLS] row of bidirectional attention (a `probeRows`
 * readout), its mass on a set of impermissible keys per head, and R = −(λ/|H|)·Σ_h log(1 − a_hᵀm),
 * the term added to the task loss to hide attention from those tokens.
 *
 * Catalog paper 116: Learning to Deceive with Attention-Based Explanations (Pruthi et al., ACL 2020).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, outputs: { probeRows: [0] } });
 * const clsRow = applyAttention(spec, { query, key, value }).probeRows!; // [1, 4, 1, 24]
 * const mass = reshape(matmul(clsRow, reshape(impermissible, [24, 1])), [1, 4]);
 * const penalty = mul(mean(log(sub(1, mass)), 1), -0.1);
 * ```
 */
export const deceptiveAttentionPenaltyEntry = attentionZooEntry({
  id: 'deceptive-attention-penalty',
  mechanism: 'deceptive-attention-penalty',
  paper: {
    id: 116,
    title: 'Learning to Deceive with Attention-Based Explanations (Pruthi et al., ACL 2020)',
    group: 'G7',
  },
  description:
    'The [CLS] row’s attention mass on 4 impermissible keys and the penalty −(λ/|H|)Σ_h log(1 − mass), λ 0.1, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
