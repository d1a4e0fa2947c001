import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Set Transformer blocks: MAB(X, Y) = LN(H + rFF(H)), H = LN(X + Multihead(X, Y, Y)); SAB, ISAB with
 * learned inducing points and PMA with learned seeds, each attention one fused kernel.
 *
 * Catalog paper 55: Set Transformer (MAB, SAB, ISAB, PMA).
 *
 * @example
 * ```ts
 * const pooled = poolingByMultiheadAttention(inducedSetAttentionBlock(x, 4, { heads: 4, name: 'isab' }), 2, { heads: 4, name: 'pma' });
 * ```
 */
export const setTransformerEntry = attentionZooEntry({
  id: 'set-transformer',
  mechanism: 'set-transformer',
  paper: { id: 55, title: 'Set Transformer (MAB, SAB, ISAB, PMA) (Lee et al.)', group: 'G5' },
  description:
    "SAB, ISAB (4 inducing points) and PMA (2 seeds) in the paper's LayerNorm placement on 2 sets of 12 rows × width 16, 4 heads.",
  tolerance: DEFAULT_TOLERANCE,
});
