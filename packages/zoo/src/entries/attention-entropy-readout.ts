import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention that also returns each row's entropy H_i = −Σ_j p_ij log p_ij, the diagnostic of the
 * paper, written by the kernel that computes O.
 *
 * Catalog paper 88: Attention Entropy is a Key Factor — parallel context encoding (Zhang et al., ACL 2025).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { entropy: true } });
 * const { entropy } = applyAttention(spec, { query, key, value });
 * ```
 */
export const attentionEntropyReadoutEntry = attentionZooEntry({
  id: 'attention-entropy-readout',
  mechanism: 'attention-entropy-readout',
  paper: {
    id: 88,
    title: 'Attention Entropy is a Key Factor — parallel context encoding (Zhang et al., ACL 2025)',
    group: 'G7',
  },
  description:
    'Causal attention that also returns the row entropy −Σ p log p, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
