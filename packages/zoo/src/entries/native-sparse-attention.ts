import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Native Sparse Attention: a compressed branch over learned block summaries of K and V, a selected
 * branch over the key blocks the compressed attention weighs most (summed over each GQA group, the
 * first and 2 local blocks forced), and a sliding window, mixed by sigmoid gates of x. Each branch
 * is one fused attention kernel; the selection tables are built on the device and the selected
 * branch's kernel walks only the listed key tiles.
 *
 * Catalog paper 94: ASA: Optimizing Native Sparse Attention with Latent Attention and Local/Global
 * Alternation (Hu et al.), whose base is NSA.
 *
 * @example
 * ```ts
 * const { output } = nativeSparseAttention({ query, key, value }, {
 *   blockLength: 32, stride: 16, selectBlock: 32, selectCount: 4, window: 48,
 *   gate: { x, weight: param('nsa.gate.weight', [32, 12]) },
 * });
 * ```
 */
export const nativeSparseAttentionEntry = attentionZooEntry({
  id: 'native-sparse-attention',
  mechanism: 'native-sparse-attention',
  paper: {
    id: 94,
    title:
      'ASA: Optimizing Native Sparse Attention with Latent Attention and Local/Global Alternation (Hu et al.); its NSA base',
    group: 'G6',
  },
  description:
    'NSA: MLP-compressed blocks (l 32, stride 16), top 4 of 8 selection blocks of 32 from the compressed scores (GQA group sum, first + 2 local forced), window 48, sigmoid gates; 4 query / 2 KV heads × 256 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
