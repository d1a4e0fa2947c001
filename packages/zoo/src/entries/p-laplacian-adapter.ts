import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * p-Adapter: softmax attention re-weighted by p-Laplacian message passing, with the projected
 * queries as the node features x_i: M_ij = A_ij(‖x_i − v_j‖² + ε)^{(p−2)/2},
 * o_i = α_i Σ_j M_ij v_j + (2μ/p)α_i x_i with α_i = 1/(Σ_j M_ij + 2μ/p), p = 1.5, μ = 0.5. The
 * heads are merged and the bottleneck adapter follows as ordinary graph ops:
 * y = o + W_up·GELU(W_down·o) (64 → 8 → 64). The formula follows pGNN as the paper cites it; the
 * p-Adapter code was not consulted (see `pLaplacian`).
 *
 * Catalog paper 64: p-Adapter — p-Laplacian adaptation for generative VLMs (Wu et al., AAAI 2024).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, normalizer: pLaplacian({ features: tensorRef('q', [1, 4, 24, 16]), p: 1.5, mu: 0.5 }) });
 * const { output } = applyAttention(spec, { query: q, key: k, value: v, tensors: { q } });
 * const merged = reshape(permute(output, [0, 2, 1, 3]), [1, 24, 64]);
 * const y = add(merged, matmul(gelu(matmul(merged, down)), up));
 * ```
 */
export const pLaplacianAdapterEntry = attentionZooEntry({
  id: 'p-laplacian-adapter',
  mechanism: 'p-laplacian-adapter',
  paper: {
    id: 64,
    title: 'p-Adapter — p-Laplacian adaptation for generative VLMs (Wu et al., AAAI 2024)',
    group: 'G2',
  },
  description:
    'p-Laplacian re-weighted attention (p = 1.5, μ = 0.5, features = Q) and a 64 → 8 → 64 GELU bottleneck adapter with residual, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
