import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LAWCAT's causal linear attention: a causal depthwise Conv1D of 4 taps across time on the query
 * and key rows (seeded taps per head and channel), a GLA-style data-dependent gate
 * G_t = σ(a_t)^(1/16) per key dimension (seeded pre-activations), and the normalized gated
 * recurrence S_t = G_t ⊙ S_{t−1} + φ(k̃_t)v_tᵀ, z_t = G_t ⊙ z_{t−1} + φ(k̃_t),
 * y_t = φ(q̃_t)ᵀS_t/(φ(q̃_t)ᵀz_t + 1e−6) as a chunk sweep (chunks of 8). φ is ELU+1, a stand-in
 * for the paper's learnable positive map: its code (zeyuliu1037/LAWCAT) could not be obtained, and
 * summaries of the paper describe φ only as φ(x) = σ(xW), one linear layer shared by q̃ and k̃
 * after the convolution, without naming the nonlinearity σ or the feature width. Any row-wise feature
 * expansion takes its place.
 *
 * Catalog paper 97: LAWCAT — Linear Attention with Convolution Across Time.
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: elu1(), gated: true, causal: true, chunkSize: 8 });
 * const { output } = applyLinearAttention(spec, {
 *   query: lawcatCausalConv(q, 'lawcat.qConv').rows, key: lawcatCausalConv(k, 'lawcat.kConv').rows,
 *   value: v, gate: glaGate(gateLogits),
 * });
 * ```
 */
export const lawcatEntry = linearAttentionZooEntry({
  id: 'lawcat',
  mechanism: 'lawcat',
  paper: { id: 97, title: 'LAWCAT: Linear Attention with Convolution Across Time (Liu et al.)', group: 'G4' },
  description:
    "Stand-in φ (ELU+1) for LAWCAT's learnable map, otherwise causal LAWCAT: 4-tap causal depthwise conv on Q and K, GLA gate σ(a)^(1/16), gated linear attention with denominator ε 1e-6, chunks of 8, 4 heads × 24 positions × dim 16.",
  tolerance: DEFAULT_TOLERANCE,
});
