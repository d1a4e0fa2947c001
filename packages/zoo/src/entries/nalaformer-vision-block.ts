import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * NaLaFormer's whole vision attention block: a Linear to [q, k, v, g], the norm-aware features
 * φ(q) = [(ReLU(q)/‖q‖)^p ; (ReLU(−q)/‖q‖)^p] (p = 3(0.5 + tanh ‖q‖)) and φ(k) = [ReLU(k³) ; ReLU(−k³)],
 * z_i = 1/(φ(q_i)·mean φ(k) + 1e−6) from the unrotated features, the 2-D RoPE on each half of the
 * numerator's features only, y_i = z_i·(1/N)·Σ_j (φ̃(q_i)·φ̃(k_j)) v_j, LePE (depthwise 5×5 conv of v),
 * LayerNorm ⊙ SiLU(g) and out_proj — the reference's `NormAwareLinearAttn`.
 *
 * Catalog paper 16: NaLaFormer — Norm-Aware Linear Attention.
 *
 * @example
 * ```ts
 * const { sin, cos } = malaRopeTables(6, 6, 16);
 * const y = nalaVisionBlock(input('x', [1, 32, 6, 6]), input('sin', [36, 16]), input('cos', [36, 16]), { heads: 2 });
 * ```
 */
export const nalaformerVisionBlockEntry = linearAttentionZooEntry({
  id: 'nalaformer-vision-block',
  mechanism: 'nalaformer-vision-block',
  paper: { id: 16, title: 'NaLaFormer — Norm-Aware Linear Attention (Meng et al. 2025)', group: 'G4' },
  description:
    "NaLaFormer's vision block: Linear to q, k, v, g; norm-aware sign-split features (32 per head); 2-D RoPE on the numerator's features only; z from the unrotated ones; LePE 5×5; LayerNorm ⊙ SiLU(g); out_proj — a 6 × 6 image of 32 channels, 2 heads.",
  tolerance: DEFAULT_TOLERANCE,
});
