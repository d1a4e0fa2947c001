import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One Latte decode step on a seeded state per latent: the running max m, the log-sum-exp λ and the
 * values S = Σ_s e^(k_s − m) v_s (`[1, 4, 16, 16]`); y = Σ_l softmax(q)_l e^(m'_l − λ'_l) S'_l.
 * L·(d_v + 2) numbers per head whatever the past length.
 *
 * Catalog paper 81: Latte — Latent Attention for Linear Time Transformers (its O(1) decoding).
 *
 * @example
 * ```ts
 * const step = applyLatte(q, k, v, { name: 'latte', state: latteStateInputs(1, 4, 16, 16, 'latte') });
 * ```
 */
export const latteDecodeEntry = linearAttentionZooEntry({
  id: 'latte-decode',
  mechanism: 'latte-decode',
  paper: { id: 81, title: 'Latte: Latent Attention for Linear Time Transformers, decode step', group: 'G4' },
  description:
    'One Latte decode step on a seeded state (max, log-sum-exp, values) per latent, 4 heads × 16 latents × d_v 16; outputs the token and the next state.',
  tolerance: DEFAULT_TOLERANCE,
});
