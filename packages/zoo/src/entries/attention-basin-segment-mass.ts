import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention that also returns the attention mass M_is = Σ_{j∈segment s} p_ij each query puts on
 * each key segment (Attention Basin's per-item mass), written by the kernel that computes O.
 *
 * Catalog paper 14: Attention Basin / AttnRank (2025).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { segmentMass: [0, 6, 12, 18] } });
 * const { segmentMass } = applyAttention(spec, { query, key, value });
 * ```
 */
export const attentionBasinSegmentMassEntry = attentionZooEntry({
  id: 'attention-basin-segment-mass',
  mechanism: 'attention-basin-segment-mass',
  paper: { id: 14, title: 'Attention Basin / AttnRank (2025)', group: 'G7' },
  description:
    'Causal attention that also returns the mass on 4 key segments of 6, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
