import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Sigma's DiffQKV attention: keys and values with independent head counts and head dims. Query head
 * h reads key head ⌊h·n_k/n_q⌋ and value head ⌊h·n_v/n_q⌋ (here n_q = 4, n_k = 2, n_v = 4), keys of
 * dim d_hk = 8 and values of dim d_hv = 16. The paper scores q·(k W_up) after mapping each key to
 * the query/value dim with a learned W_up (`sigma-diff-qkv.keyUp` `[n_k, d_hk, d_hv]`); the graph
 * absorbs that map on the query side, q·(k W_up) = (q W_upᵀ)·k, with two primitive ops before the
 * attention op (a gather of each query head's W_up by ⌊h·n_k/n_q⌋ and a batched matmul), so the
 * cache keeps the small K. The scale is 1/√d_hv, the dim of the paper's dot product. Not covered:
 * the augmented (two-layer) Q projection, which is ordinary layers before this graph, and the
 * selective top-k V fetch of decoding.
 *
 * Catalog paper 71: Sigma — DiffQKV attention (differentially compressed KV, augmented Q).
 *
 * @example
 * ```ts
 * const keyHeadOf = literal([0, 0, 1, 1], [4], 'i32'); // ⌊h·n_k/n_q⌋
 * const keyUp = param('sigma-diff-qkv.keyUp', [2, 8, 16]);
 * const absorbed = matmul(query, reshape(gather(keyUp, keyHeadOf, 0), [1, 4, 8, 16]), { transposeB: true });
 * const spec = attention({
 *   heads: 4, kvHeads: 2, valueHeads: 4, headDim: 8, valueDim: 16,
 *   score: scale(1 / Math.sqrt(16)), mask: causal(),
 * });
 * const { output } = applyAttention(spec, { query: absorbed, key, value }); // key [1, 2, N, 8], value [1, 4, N, 16]
 * ```
 */
export const sigmaDiffQkvEntry = attentionZooEntry({
  id: 'sigma-diff-qkv',
  mechanism: 'sigma-diff-qkv',
  paper: {
    id: 71,
    title: 'Sigma — DiffQKV attention (differentially compressed KV, augmented Q)',
    group: 'G1',
  },
  description:
    'Causal attention, 4 query heads over 2 key heads (dim 8, W_up absorbed into Q) and 4 value heads (dim 16), 24 positions.',
  tolerance: DEFAULT_TOLERANCE,
});
