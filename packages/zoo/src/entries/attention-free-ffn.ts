import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * A shallow feed-forward network over the flattened, padded sequence in place of self-attention
 * (the ALR variant): Y = reshape(W₂ ReLU(W₁ vec(X) + b₁) + b₂), two matmul kernels.
 *
 * Catalog paper 32: Rethinking Attention — shallow FFNs replacing attention (Bozic et al. 2023).
 *
 * @example
 * ```ts
 * const y = sequenceFeedForward(x, { hidden: 32 }); // x [2, 8, 8]
 * ```
 */
export const attentionFreeFfnEntry = attentionZooEntry({
  id: 'attention-free-ffn',
  mechanism: 'attention-free-ffn',
  paper: {
    id: 32,
    title: 'Rethinking Attention — shallow FFNs replacing attention (Bozic et al. 2023)',
    group: 'G5',
  },
  description:
    'A shallow FFN over the flattened padded sequence in place of self-attention (ALR): L = 8, width 8, hidden 32, batch 2.',
  tolerance: DEFAULT_TOLERANCE,
});
