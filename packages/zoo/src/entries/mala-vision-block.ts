import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * MALA's whole vision attention block: a 1×1 conv to [q, k, v, o], ELU+1, the magnitude-aware
 * readout (1 + 1/(z_i + 1e−6))·(s/N)·q̂_iᵀΣ k̂_j v_jᵀ − z_i·v̄ with the 2-D RoPE on the numerator's
 * features only (z from the unrotated ones), LePE (depthwise 5×5 conv of v), the gate o and a 1×1
 * projection — the reference's `AddLinearAttention`.
 *
 * Catalog paper 103: MALA — Magnitude-Aware Linear Attention.
 *
 * @example
 * ```ts
 * const { sin, cos } = malaRopeTables(6, 6, 16);
 * const y = malaVisionBlock(input('x', [1, 32, 6, 6]), input('sin', [36, 16]), input('cos', [36, 16]), { heads: 2 });
 * ```
 */
export const malaVisionBlockEntry = linearAttentionZooEntry({
  id: 'mala-vision-block',
  mechanism: 'mala-vision-block',
  paper: { id: 103, title: 'MALA: Magnitude-Aware Linear Attention (Fan et al.)', group: 'G4' },
  description:
    "MALA's vision block: 1×1 conv to q, k, v, o; ELU+1; 2-D RoPE on the numerator's features only; the additive magnitude-aware readout; LePE 5×5; gate; 1×1 projection — a 6 × 6 image of 32 channels, 2 heads.",
  tolerance: DEFAULT_TOLERANCE,
});
