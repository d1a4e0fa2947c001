import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LLN+Diag: O = ½ O_LLN + ½ O_diag, O_LLN the `lln-attention` layer and O_diag softmax(QKᵀ/√d)
 * inside non-overlapping diagonal blocks of D = head dim (16), causal inside a block: two kernels
 * (the linear sweep and the flash kernel on diagonal tiles) and an elementwise mix. The fixed ½
 * mix is the reference module's default; its learnable per-head mixing is not built here.
 *
 * Catalog paper 17: Linear Log-Normal Attention with Unbiased Concentration.
 *
 * @example
 * ```ts
 * const lln = applyLinearAttention(llnSpec, { query, key, value }).output;
 * const diag = applyAttention(attention({ heads: 4, headDim: 16, mask: and(causal(), chunked(16)) }), { query, key, value }).output;
 * const output = add(mul(lln, 0.5), mul(diag, 0.5));
 * ```
 */
export const llnDiagAttentionEntry = linearAttentionZooEntry({
  id: 'lln-diag-attention',
  mechanism: 'lln-diag-attention',
  paper: { id: 17, title: 'Linear Log-Normal Attention with Unbiased Concentration (LLN+Diag)', group: 'G4' },
  description:
    'Causal ½ LLN attention + ½ softmax inside diagonal blocks of 16, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
