import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Log-linear Gated DeltaNet in its chunked form, chunks of 4 over 24 positions: inside each chunk
 * the 4 × 4 WY solve T = (I + A)⁻¹ gives P = (QKᵀ ⊙ Γ) T diag(β), masked by λ of Fenwick levels
 * 0 … 2; above the chunk, one delta-rule state per Fenwick level (levels 3 … 5) passes from chunk to
 * chunk through each chunk's transition and merges by the binary carry of the chunk index. Outputs
 * the tokens and the 5 level states a decode step continues.
 *
 * Catalog paper 109: Log-Linear Attention (the Gated DeltaNet instance, chunked).
 *
 * @example
 * ```ts
 * const { output, state } = logLinearGatedDeltaNet(q, k, v, levelWeights, {
 *   name: 'layer',
 *   beta,
 *   logDecay: g,
 *   form: 'chunked',
 *   chunkSize: 4,
 *   returnState: true,
 * });
 * ```
 */
export const logLinearGatedDeltaNetChunkedEntry = linearAttentionZooEntry({
  id: 'log-linear-gated-deltanet-chunked',
  mechanism: 'log-linear-gated-deltanet-chunked',
  paper: { id: 109, title: 'Log-Linear Attention, the Gated DeltaNet instance, chunked', group: 'G4' },
  description:
    'Log-linear Gated DeltaNet, chunked: a 4 × 4 WY solve per chunk with λ per Fenwick level inside it, one delta-rule state per level above the chunk carried and merged chunk to chunk, 4 heads × 24 positions × d 16, 6 levels; outputs the tokens and the level states.',
  tolerance: DEFAULT_TOLERANCE,
});
