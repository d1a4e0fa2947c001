import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * iFAM's faithful attention map: keys outside a per-sample kept set (here a kept-prefix length) are
 * masked out entirely.
 *
 * Catalog paper 84: Inherently Faithful Attention Maps for ViTs — iFAM (Aniraj et al.).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: keyPadding(tensorRef('keep', [1], 'i32')) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const faithfulKeyMaskEntry = attentionZooEntry({
  id: 'faithful-key-mask',
  mechanism: 'faithful-key-mask',
  paper: { id: 84, title: 'Inherently Faithful Attention Maps for ViTs — iFAM (Aniraj et al.)', group: 'G1' },
  description: 'Attention over the first 17 of 24 keys (a length input), 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
