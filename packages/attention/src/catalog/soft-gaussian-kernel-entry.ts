import { input, makeGraph, mul, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { gaussianKernelScore } from '../spec/gaussian-kernel-score.js';
import { identity } from '../spec/normalizers.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';
import { squaredNorms } from './squared-norms.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;

/**
 * Catalog paper 83's `ratio == 1` form at 4 heads × 24 positions × dim 16: out = G(Q̂, Q̂) V with
 * Q̂ = Q / d^(1/4) (K tied to Q) and G(a, b) = exp(−½‖a − b‖²), no row normalization. Inputs `q`, `v`.
 */
export const softGaussianKernelCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'soft-gaussian-kernel',
  paper: 83,
  build() {
    const shape = [1, HEADS, LENGTH, DIM];
    const scaled = mul(input('q', shape), DIM ** -0.25);
    const norms = tensorRef('normSquared', [1, HEADS, LENGTH]);
    const spec = attention({
      heads: HEADS,
      headDim: DIM,
      score: gaussianKernelScore({ queryNormSquared: norms, keyNormSquared: norms }),
      normalizer: identity({ outputNorm: 'none' }),
      name: 'soft-gaussian-kernel',
    });
    const { output } = applyAttention(spec, {
      query: scaled,
      key: scaled,
      value: input('v', shape),
      tensors: { normSquared: squaredNorms(scaled) },
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: { q: seeded(count, 1), v: seeded(count, 3) },
      dims: {},
    };
  },
};
