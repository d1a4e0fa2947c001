import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Latte's causal latent attention: y_t = Σ_l softmax_l(q_t)_l Σ_{s≤t} e^(k_s,l) v_s / Σ_{s≤t} e^(k_s,l),
 * q and k scaled by 1/√L, with the running max and log-sum-exp per latent (every exponent ≤ 0):
 * gated linear attention over 16 latents, chunks of 8.
 *
 * Catalog paper 81: Latte — Latent Attention for Linear Time Transformers.
 *
 * @example
 * ```ts
 * const { output } = applyLatte(query, key, value, { name: 'latte', chunkSize: 8 });
 * ```
 */
export const latteEntry = linearAttentionZooEntry({
  id: 'latte',
  mechanism: 'latte',
  paper: { id: 81, title: 'Latte: Latent Attention for Linear Time Transformers', group: 'G4' },
  description:
    'Latte, causal: softmax over 16 latents per query, per-latent causal softmax over keys with running max and log-sum-exp states, chunks of 8, 4 heads × 24 positions.',
  tolerance: DEFAULT_TOLERANCE,
});
