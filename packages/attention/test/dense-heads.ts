/** Sizes of a dense per-head attention problem, layout `[batch, heads, length, dim]`. */
export interface DenseSizes {
  readonly batch: number;
  readonly heads: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** Row `i` of head `(b, h)` of a `[batch, heads, length, dim]` tensor, as float64. */
export function rowOf(
  data: ArrayLike<number>,
  sizes: { heads: number; length: number; dim: number },
  b: number,
  h: number,
  i: number,
): number[] {
  const start = ((b * sizes.heads + h) * sizes.length + i) * sizes.dim;
  return Array.from({ length: sizes.dim }, (_, d) => Number(data[start + d]));
}

/** Σ_d a_d b_d in float64. */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((total, value, d) => total + value * b[d]!, 0);
}

/**
 * O[b, h, i] = Σ_j weight(b, h, i, j) · V[b, h, j] in float64, for weights given per row:
 * `rowWeights(b, h, i)` returns the `keys` weights of query row i.
 */
export function weightedValues(
  sizes: DenseSizes,
  value: ArrayLike<number>,
  rowWeights: (b: number, h: number, i: number) => readonly number[],
): Float64Array {
  const out = new Float64Array(sizes.batch * sizes.heads * sizes.queries * sizes.valueDim);
  const valueSizes = { heads: sizes.heads, length: sizes.keys, dim: sizes.valueDim };
  for (let b = 0; b < sizes.batch; b++)
    for (let h = 0; h < sizes.heads; h++)
      for (let i = 0; i < sizes.queries; i++) {
        const weights = rowWeights(b, h, i);
        const start = ((b * sizes.heads + h) * sizes.queries + i) * sizes.valueDim;
        weights.forEach((weight, j) => {
          const row = rowOf(value, valueSizes, b, h, j);
          for (let d = 0; d < sizes.valueDim; d++) out[start + d]! += weight * row[d]!;
        });
      }
  return out;
}

/** softmax over the kept entries of `scores` (`keep[j]` false weighs 0), max-subtracted, float64. */
export function softmaxRow(scores: readonly number[], keep: readonly boolean[] = []): number[] {
  const kept = scores.map((score, j) => (keep[j] === false ? -Infinity : score));
  const top = Math.max(...kept);
  const exps = kept.map((score) => (score === -Infinity ? 0 : Math.exp(score - top)));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}
