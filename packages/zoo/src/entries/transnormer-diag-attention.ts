import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * TransNormer's DiagAttention, the paper's early layers: softmax(q_i·k_j/√d) over the keys of
 * query i's non-overlapping diagonal block of w = 8 positions (causal inside the block), O = A V:
 * O(N·w·d) work, the flash kernel skipping every off-diagonal tile. The reference code's softmax
 * branch applies no norm after it (the catalog notes "followed by the same output norm"; append
 * `applyOutputNorm` for that reading). NormAttention, the later layers, is
 * `transnormer-norm-attention`.
 *
 * Catalog paper 49: TransNormer — The Devil in Linear Transformer (NormAttention + DiagAttention).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, score: scale(1 / 4), mask: and(causal(), chunked(8)) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const transnormerDiagAttentionEntry = attentionZooEntry({
  id: 'transnormer-diag-attention',
  mechanism: 'transnormer-diag-attention',
  paper: { id: 49, title: 'TransNormer — The Devil in Linear Transformer (DiagAttention)', group: 'G4' },
  description:
    'Softmax attention inside causal diagonal blocks of 8 (scale 1/√16), 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
