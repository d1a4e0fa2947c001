import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TransNormer's NormAttention: no softmax and no division by the row sum; the weights are the
 * unscaled scores themselves, o_i = Σ_{j kept} (q_i·k_j) v_j, and each output row is normalized
 * over the value dim (SRMSNorm, o/√(mean(o²) + 1e-5)). The mask is causal within DiagAttention's
 * diagonal blocks of 8 (the intra-block term of the chunked causal scan). The feature map φ of
 * the paper is applied to Q and K before the op.
 *
 * Catalog paper 49: TransNormer — The Devil in Linear Transformer (NormAttention + DiagAttention);
 * the same quadratic form is Lightning attention's intra-block term (paper 63, without its decay).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16, score: scale(1),
 *   mask: and(causal(), chunked(8)),
 *   normalizer: identity({ outputNorm: 'rms' }),
 * });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const transnormerNormAttentionEntry = attentionZooEntry({
  id: 'transnormer-norm-attention',
  mechanism: 'transnormer-norm-attention',
  paper: { id: 49, title: 'TransNormer — The Devil in Linear Transformer (NormAttention)', group: 'G2' },
  description:
    'Identity normalizer with an RMS output norm, causal within chunks of 8, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
