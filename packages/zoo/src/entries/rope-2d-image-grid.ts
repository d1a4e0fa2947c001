import { attentionZooEntry } from '../package-catalog-entry.js';
import { ROPE_TOLERANCE } from '../tolerances.js';

/**
 * Attention over image tokens with axial 2-D RoPE on a 4×6 grid (dims [0, r/2) rotate by the row,
 * [r/2, r) by the column) after a per-head LayerNorm of queries and keys, as in NViST's optional
 * `qkv_norm`. The catalog's NViST entry states no rotary layout; the layout is EVA-02's/FLUX's.
 *
 * Catalog paper 5: NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR 2024).
 *
 * @example
 * ```ts
 * const spec = attention({
 *   heads: 4, headDim: 16,
 *   qkNorm: qkNorm({ kind: 'layer', scale: 'vector' }),
 *   positions: rope({ dims: 2, grid: [4, 6], base: 100 }),
 * });
 * ```
 */
export const rope2dImageGridEntry = attentionZooEntry({
  id: 'rope-2d-image-grid',
  mechanism: 'rope-2d-image-grid',
  paper: {
    id: 5,
    title: 'NViST — cross-attention decoder with adaptive LayerNorm (Jang & Agapito, CVPR 2024)',
    group: 'G1',
  },
  description:
    '2-D RoPE over a 4×6 token grid with per-head LayerNorm on queries and keys, 4 heads × dim 16.',
  tolerance: ROPE_TOLERANCE,
});
