import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * QK normalization: ℓ₂-normalize queries (and keys) over the head dim, times a learned scale.
 *
 * Catalog paper 12: Query-Key Normalization — QKNorm (Henry et al. 2020).
 *
 * @example
 * ```ts
 * const q = l2Norm(input('q', [2, 4, 33, 64]), { scale: 'scalar' });
 * ```
 */
export const qkL2NormEntry = normZooEntry({
  id: 'qk-l2-norm',
  mechanism: 'QKNorm (L2 norm, learned scale)',
  paper: { id: 12, title: 'Query-Key Normalization — QKNorm (Henry et al. 2020)', group: 'G3' },
  description: 'ℓ₂ normalization of [2, 4, 33, 64] queries over the head dim with one learned scalar scale.',
  tolerance: DEFAULT_TOLERANCE,
});
