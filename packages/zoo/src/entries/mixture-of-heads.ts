import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * MAE: a mixture of h experts of h − 1 heads, folded to y = (h/(h−1)) Σ_j (1 − g_j) H_j with a
 * per-sequence gate g = softmax(MLP(mean x)); one fused attention kernel.
 *
 * Catalog paper 52: MAE — A Mixture of h−1 Heads is Better than h Heads.
 *
 * @example
 * ```ts
 * const { output, gate } = mixtureOfHeadsAttention(x, { heads: 4 });
 * ```
 */
export const mixtureOfHeadsEntry = attentionZooEntry({
  id: 'mixture-of-heads',
  mechanism: 'mixture-of-heads',
  paper: { id: 52, title: 'MAE — A Mixture of h−1 Heads is Better than h Heads (Peng et al.)', group: 'G5' },
  description:
    'MAE: softmax attention whose heads are scaled by (h/(h−1))(1 − g_j), g a per-sequence softmax gate over heads from an MLP; 2 × 12 rows × width 16, 4 heads.',
  tolerance: DEFAULT_TOLERANCE,
});
