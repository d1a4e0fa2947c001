import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Dual attention: standard heads next to relational heads Σ_j α_ij (r(x_i, x_j) W_r + s_j W_s), each
 * relational head one fused kernel by the identity Σ_j α_ij r_ijℓ = q^rel_iℓ · Σ_j α_ij k^rel_jℓ.
 *
 * Catalog paper 36: Dual Attention Transformer (Altabaa & Lafferty 2024).
 *
 * @example
 * ```ts
 * const y = dualAttention(x, { selfHeads: 2, relationalHeads: 2, relations: 4, relationDim: 4 });
 * ```
 */
export const dualAttentionEntry = attentionZooEntry({
  id: 'dual-attention',
  mechanism: 'dual-attention',
  paper: {
    id: 36,
    title:
      'Disentangling Relational and Sensory Information — Dual Attention Transformer (Altabaa & Lafferty 2024)',
    group: 'G5',
  },
  description:
    'Dual attention: 2 softmax heads and 2 relational heads (4 relations of dim 4, positional symbols) by the fusion identity; 2 × 12 rows × width 16.',
  tolerance: DEFAULT_TOLERANCE,
});
