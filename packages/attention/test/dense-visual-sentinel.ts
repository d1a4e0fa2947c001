import { rowOf } from './dense-heads.js';

/** Sizes of the visual-sentinel catalog instance. */
export const SENTINEL_SIZES = { heads: 2, steps: 6, regions: 12, dim: 16, width: 8 } as const;

/**
 * "Knowing When to Look" written from the paper in float64: z_ti = w_hᵀ tanh(W_v v_i + W_g h_t),
 * z_ts = w_hᵀ tanh(W_s s_t + W_g h_t), α̂_t = softmax([z_t; z_ts]), β_t = α̂_t[k + 1],
 * c_t = Σ_i softmax(z_t)_i v_i and ĉ_t = β_t s_t + (1 − β_t) c_t.
 */
export function denseVisualSentinel(values: Readonly<Record<string, ArrayLike<number>>>): {
  output: Float64Array;
  sentinelWeight: Float64Array;
} {
  const { heads, steps, regions, dim, width } = SENTINEL_SIZES;
  const weights = (part: string) => values[`visual-sentinel.${part}`]!;
  const project = (row: readonly number[], matrix: ArrayLike<number>, h: number, c: number) =>
    row.reduce((total, x, d) => total + x * Number(matrix[(h * dim + d) * width + c]), 0);
  const score = (h: number, state: readonly number[], other: readonly number[], part: string) => {
    let total = 0;
    for (let c = 0; c < width; c++) {
      const hidden = project(other, weights(part), h, c) + project(state, weights('stateWeights'), h, c);
      total += Number(weights('scoreWeights')[h * width + c]) * Math.tanh(hidden);
    }
    return total;
  };
  const output = new Float64Array(heads * steps * dim);
  const sentinelWeight = new Float64Array(heads * steps);
  for (let h = 0; h < heads; h++)
    for (let t = 0; t < steps; t++) {
      const state = rowOf(values.q!, { heads, length: steps, dim }, 0, h, t);
      const sentinel = rowOf(values.s!, { heads, length: steps, dim }, 0, h, t);
      const rows = Array.from({ length: regions }, (_, i) =>
        rowOf(values.k!, { heads, length: regions, dim }, 0, h, i),
      );
      const z = rows.map((region) => score(h, state, region, 'regionWeights'));
      const zSentinel = score(h, state, sentinel, 'sentinelWeights');
      // α̂ over k + 1 slots, and the plain α over the k regions for c_t.
      const extended = [...z, zSentinel];
      const top = Math.max(...extended);
      const exps = extended.map((x) => Math.exp(x - top));
      const total = exps.reduce((a, b) => a + b, 0);
      const beta = exps[regions]! / total;
      const regionTotal = total - exps[regions]!;
      sentinelWeight[h * steps + t] = beta;
      for (let d = 0; d < dim; d++) {
        let context = 0;
        rows.forEach((region, i) => {
          context += (exps[i]! / regionTotal) * region[d]!;
        });
        output[(h * steps + t) * dim + d] = beta * sentinel[d]! + (1 - beta) * context;
      }
    }
  return { output, sentinelWeight };
}
