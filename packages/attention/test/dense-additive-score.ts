import { type DenseSizes, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Parameter names and activation of one additive-score catalog instance. */
export interface DenseAdditiveOptions {
  readonly mechanism: string;
  readonly activation: 'tanh' | 'relu';
  readonly causal: boolean;
  /** Hidden width C. */
  readonly width: number;
}

/**
 * The additive score written from the papers, in float64 and independent of the op:
 * e_ij = Σ_c U_hc σ(Σ_d h_id W_d[d, c] + Σ_d a_jd W_c[d, c] + b_c), α_i = softmax_j(e_ij) over the
 * kept keys, ctx_i = Σ_j α_ij a_j (the annotations are the values).
 */
export function denseAdditiveAttention(
  values: Readonly<Record<string, ArrayLike<number>>>,
  sizes: DenseSizes,
  options: DenseAdditiveOptions,
): Float64Array {
  const { mechanism, width } = options;
  const dim = sizes.headDim;
  const queryWeights = values[`${mechanism}.queryWeights`]!;
  const keyWeights = values[`${mechanism}.keyWeights`]!;
  const keyBias = values[`${mechanism}.keyBias`]!;
  const scoreWeights = values[`${mechanism}.scoreWeights`]!;
  const project = (row: readonly number[], weights: ArrayLike<number>, h: number, c: number) =>
    row.reduce((total, x, d) => total + x * Number(weights[(h * dim + d) * width + c]), 0);
  const sigma = (x: number) => (options.activation === 'tanh' ? Math.tanh(x) : Math.max(0, x));
  return weightedValues(sizes, values.k!, (b, h, i) => {
    const state = rowOf(values.q!, { heads: sizes.heads, length: sizes.queries, dim }, b, h, i);
    const scores = Array.from({ length: sizes.keys }, (_, j) => {
      const annotation = rowOf(values.k!, { heads: sizes.heads, length: sizes.keys, dim }, b, h, j);
      let score = 0;
      for (let c = 0; c < width; c++) {
        const hidden =
          project(state, queryWeights, h, c) +
          project(annotation, keyWeights, h, c) +
          Number(keyBias[h * width + c]);
        score += Number(scoreWeights[h * width + c]) * sigma(hidden);
      }
      return score;
    });
    return softmaxRow(
      scores,
      scores.map((_, j) => !options.causal || j <= i),
    );
  });
}
