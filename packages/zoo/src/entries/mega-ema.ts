import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Mega's multi-dimensional damped EMA (unidirectional, fairseq `MultiHeadEMA`): p = σ(δ),
 * q = 1 − p σ(α), h_t = q ⊙ h_{t−1} + p β x_t per channel and component,
 * y_t = SiLU(Σ_n γ h_t / √N + ω x_t), as gated linear attention with one head per channel (16
 * channels, 8 components, chunks of 8). The EMA is the part of Mega's block that feeds its gated
 * attention; the block's projections and single-head attention are ordinary ops around it.
 *
 * Catalog paper 70: Mega — Moving Average Equipped Gated Attention.
 *
 * @example
 * ```ts
 * const { output } = megaEma(x, { name: 'mega.ema', components: 8, chunkSize: 8 }); // x [B, L, D]
 * ```
 */
export const megaEmaEntry = linearAttentionZooEntry({
  id: 'mega-ema',
  mechanism: 'mega-ema',
  paper: { id: 70, title: 'Mega — Moving Average Equipped Gated Attention, damped EMA', group: 'G4' },
  description:
    "Mega's damped EMA: 16 channels × 8 components, SiLU(EMA(x) + ω x) over 24 positions as gated linear attention (one head per channel), chunks of 8.",
  tolerance: DEFAULT_TOLERANCE,
});
