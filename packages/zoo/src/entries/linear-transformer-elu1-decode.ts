import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One recurrent decode step of causal ELU+1 linear attention on a seeded state: S' = S + φ(k)vᵀ,
 * z' = z + φ(k), o = φ(q)ᵀS' / (φ(q)ᵀz' + 1e-6). Outputs the token's output and both next states
 * (three kernels, O(d_k·d_v) whatever the past length).
 *
 * Catalog paper 78: Performer — FAVOR+ (causal prefix sums S_t, z_t); ELU+1 is the linear
 * transformer's map (Katharopoulos et al. 2020, its RNN form).
 *
 * @example
 * ```ts
 * const state = linearAttentionStateInputs(spec, 1, 'layer');
 * const step = applyLinearAttention(spec, { query, key, value, state });
 * ```
 */
export const linearTransformerElu1DecodeEntry = linearAttentionZooEntry({
  id: 'linear-transformer-elu1-decode',
  mechanism: 'linear-transformer-elu1-decode',
  paper: { id: 78, title: 'Performer — FAVOR+', group: 'G4' },
  description:
    'One ELU+1 linear-attention decode step on a seeded state [1, 4, 16, 16] and key sums [1, 4, 16]; outputs the token and both next states.',
  tolerance: DEFAULT_TOLERANCE,
});
