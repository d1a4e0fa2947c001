import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Magnitude-Aware Linear Attention: φ = ELU+1, s = d^(−1/2), z_i = s·φ(q_i)·mean_j φ(k_j),
 * y_i = (1 + 1/(z_i + 1e−6))·(s/N)·Σ_j φ(q_i)·φ(k_j) v_j − z_i·mean_j v_j — weights that sum to 1
 * and sharpen with ‖φ(q_i)‖ — as one non-causal linear-attention kernel over [v, 1] and an
 * elementwise readout. The vision block around it (2-D RoPE, LePE, gate) is `mala-vision-block`.
 *
 * Catalog paper 103: MALA — Magnitude-Aware Linear Attention.
 *
 * @example
 * ```ts
 * const { output } = applyMalaAttention(malaAttention({ heads: 4, headDim: 16 }), { query: q, key: k, value: v });
 * ```
 */
export const malaAttentionEntry = linearAttentionZooEntry({
  id: 'mala-attention',
  mechanism: 'mala-attention',
  paper: { id: 103, title: 'MALA: Magnitude-Aware Linear Attention (Fan et al.)', group: 'G4' },
  description:
    'Non-causal MALA: ELU+1 linear attention with the additive magnitude-aware readout (1 + 1/z_i)·c·U_i − z_i·v̄, ε 1e-6, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
