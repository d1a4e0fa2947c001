import { input, makeGraph, tensorRef } from '@weft/ir';
import type { AttentionCatalogInstance } from '../src/catalog/attention-catalog.js';
import { seeded, seededInRange } from '../src/catalog/seeded-values.js';
import { squaredNorms } from '../src/catalog/squared-norms.js';
import { applyAttention, attention, probabilisticAttentionScore } from '../src/index.js';
import { rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of a probabilistic-attention case under GQA. */
export interface ProbabilisticGqaSizes {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
}

/**
 * Probabilistic attention (catalog #76) with `kvHeads` < `heads`: keys ζ and means μ `[B, Hk, Nk, C]`,
 * precisions α and log priors `[B, Hk, Nk]`, ‖ζ‖² `[B, Hk, Nk]` and ‖q‖² `[B, H, Nq]` from IR reductions.
 */
export function probabilisticGqaInstance(
  sizes: ProbabilisticGqaSizes,
  seed: number,
): AttentionCatalogInstance {
  const { batch, heads, kvHeads, queries, keys, headDim } = sizes;
  const query = input('q', [batch, heads, queries, headDim]);
  const key = input('k', [batch, kvHeads, keys, headDim]);
  const perKey = [batch, kvHeads, keys];
  const score = probabilisticAttentionScore({
    precision: tensorRef('precision', perKey),
    logPrior: tensorRef('logPrior', perKey),
    queryNormSquared: tensorRef('queryNormSquared', [batch, heads, queries]),
    keyNormSquared: tensorRef('keyNormSquared', perKey),
  });
  const { output } = applyAttention(attention({ heads, kvHeads, headDim, score }), {
    query,
    key,
    value: input('v', [batch, kvHeads, keys, headDim]),
    tensors: {
      precision: input('precision', perKey),
      logPrior: input('logPrior', perKey),
      queryNormSquared: squaredNorms(query),
      keyNormSquared: squaredNorms(key),
    },
  });
  const keyCount = batch * kvHeads * keys;
  return {
    graph: makeGraph({ output }),
    params: {},
    inputs: {
      q: seeded(batch * heads * queries * headDim, seed),
      k: seeded(keyCount * headDim, seed + 1),
      v: seeded(keyCount * headDim, seed + 2),
      precision: seededInRange(keyCount, seed + 3, 0.1, 0.5),
      logPrior: seededInRange(keyCount, seed + 4, -2, -0.5),
    },
    dims: {},
  };
}

/**
 * The dense float64 E-step: O[b, h, i] = Σ_j softmax_j(−½α_j‖q_i − ζ_j‖² + log π_j) μ_j over the
 * keys of key head ⌊h·Hk/H⌋, with the distance computed directly (not the expanded form).
 */
export function denseProbabilisticGqa(
  sizes: ProbabilisticGqaSizes,
  values: Readonly<Record<string, ArrayLike<number>>>,
): Float64Array {
  const { batch, heads, kvHeads, queries, keys, headDim } = sizes;
  const output = new Float64Array(batch * heads * queries * headDim);
  const queryRows = { heads, length: queries, dim: headDim };
  const keyRows = { heads: kvHeads, length: keys, dim: headDim };
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const keyHead = Math.floor((h * kvHeads) / heads);
      for (let i = 0; i < queries; i++) {
        const q = rowOf(values.q!, queryRows, b, h, i);
        const weights = softmaxRow(
          Array.from({ length: keys }, (_, j) => {
            const zeta = rowOf(values.k!, keyRows, b, keyHead, j);
            const distance = q.reduce((total, x, d) => total + (x - zeta[d]!) ** 2, 0);
            const slot = (b * kvHeads + keyHead) * keys + j;
            return -0.5 * Number(values.precision![slot]) * distance + Number(values.logPrior![slot]);
          }),
        );
        const start = ((b * heads + h) * queries + i) * headDim;
        weights.forEach((weight, j) => {
          const mean = rowOf(values.v!, keyRows, b, keyHead, j);
          for (let d = 0; d < headDim; d++) output[start + d]! += weight * mean[d]!;
        });
      }
    }
  return output;
}
