import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * iFAM's faithful attention map: every query of a sample sees only the patch keys its part
 * selection m keeps (M_ij = m_j, an arbitrary per-sample set), plus CLS and the register tokens.
 *
 * Catalog paper 84: Inherently Faithful Attention Maps for ViTs — iFAM (Aniraj et al.).
 *
 * @example
 * ```ts
 * const mask = keySelection(tensorRef('selection', [2, 24], 'i32'), { prefix: 5 });
 * const spec = attention({ heads: 4, headDim: 16, mask });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const faithfulKeyMaskEntry = attentionZooEntry({
  id: 'faithful-key-mask',
  mechanism: 'faithful-key-mask',
  paper: { id: 84, title: 'Inherently Faithful Attention Maps for ViTs — iFAM (Aniraj et al.)', group: 'G1' },
  description:
    'A per-sample key selection (2 samples, 24 tokens, CLS + 4 registers always kept), 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
