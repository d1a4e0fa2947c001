import { input, makeGraph } from '@weft/ir';
import { normalizedAttentionGuidance } from '../compose/normalized-attention-guidance.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

/**
 * NAG's instance: 2 heads × 48 image queries of dim 16 against a positive prompt of 20 tokens and a
 * negative one of 12; τ = 2.5 and α = 0.25 (the paper's defaults) and φ = 2: below the paper's 3 to
 * 11, because the prompts of random inputs are unrelated (‖Z̃‖₁/‖Z⁺‖₁ ≈ √(φ² + (φ−1)²)), so φ = 3
 * would clip every token; at φ = 2 about half are clipped and both sides of the clip run.
 */
export const NAG_SHAPE = {
  heads: 2,
  queries: 48,
  positiveKeys: 20,
  negativeKeys: 12,
  dim: 16,
  scale: 2,
  tau: 2.5,
  alpha: 0.25,
} as const;

/**
 * Normalized Attention Guidance (catalog #35) at small sizes: a shared query attends to the
 * positive and the negative prompt (two fused attention kernels), then one row kernel extrapolates
 * Z̃ = φZ⁺ − (φ−1)Z⁻, clips its L1 ratio to Z⁺ over the merged heads at τ and blends with α.
 * Outputs `output` (`[1, 48, 32]`), `positive` and `negative`.
 */
export const nagCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'normalized-attention-guidance',
  paper: 35,
  build() {
    const { heads, queries, positiveKeys, negativeKeys, dim, scale, tau, alpha } = NAG_SHAPE;
    const branch = (which: string, keys: number) => ({
      key: input(`${which}.k`, [1, heads, keys, dim]),
      value: input(`${which}.v`, [1, heads, keys, dim]),
    });
    const result = normalizedAttentionGuidance(
      {
        query: input('q', [1, heads, queries, dim]),
        positive: branch('positive', positiveKeys),
        negative: branch('negative', negativeKeys),
      },
      { scale, tau, alpha },
    );
    return {
      graph: makeGraph({ ...result }),
      params: {},
      inputs: {
        q: seeded(heads * queries * dim, 61),
        'positive.k': seeded(heads * positiveKeys * dim, 62),
        'positive.v': seeded(heads * positiveKeys * dim, 63),
        'negative.k': seeded(heads * negativeKeys * dim, 64),
        'negative.v': seeded(heads * negativeKeys * dim, 65),
      },
      dims: {},
    };
  },
};
