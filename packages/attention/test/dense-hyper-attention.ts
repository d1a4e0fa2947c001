import { dot, rowOf } from './dense-heads.js';

/** Sizes of a HyperAttention problem (non-causal, `[1, heads, length, dim]`, as many queries as keys). */
export interface HyperAttentionSizes {
  readonly heads: number;
  readonly headDim: number;
  readonly length: number;
  readonly blockSize: number;
  readonly projections: number;
  readonly samples: number;
}

/** `_unit_hamming_distance_array` of the paper's code, written again here (the Gray-code order). */
function unitHammingDistanceArray(size: number): number[] {
  if (size === 1) return [0, 1];
  const a = unitHammingDistanceArray(size - 1);
  return [...a, ...a.map((x) => x + 2 ** (size - 1)).reverse()];
}

/** logsumexp and the softmax-weighted values of one row of scores, float64. */
function attend(scores: readonly number[], values: readonly (readonly number[])[], dim: number) {
  if (scores.length === 0) return { lse: -Infinity, out: new Array<number>(dim).fill(0) };
  const top = Math.max(...scores);
  const weights = scores.map((s) => Math.exp(s - top));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = Array.from(
    { length: dim },
    (_, d) => weights.reduce((t, w, j) => t + w * values[j]![d]!, 0) / total,
  );
  return { lse: top + Math.log(total), out };
}

/**
 * HyperAttention's `forward_no_causal_mask`, float64, written from the paper's code: hash(x) =
 * perm[Σ_b 2^b 1[x·P_b > 0]]; a stable sort of queries and keys by hash; exact attention of sorted
 * query block r (Nq/blocks rows) to sorted key block r (`blockSize` keys) → (O₁, LSE₁); attention of
 * every sorted query to the sampled sorted keys, those in its own block left out, LSE₂ + log(n/m);
 * LSE = logaddexp(LSE₁, LSE₂), O = O₁e^{LSE₁−LSE} + O₂e^{LSE₂−LSE}; rows back in the input order.
 * Also the |x·P| margins of the hash (a sign that f32 could flip would make the check moot).
 */
export function denseHyperAttention(sizes: HyperAttentionSizes) {
  const { heads, headDim: dim, length: n, blockSize, projections: r, samples: m } = sizes;
  const perm = unitHammingDistanceArray(r);
  const rows = { heads, length: n, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const projection = values['hyper.projections']!;
    const sampled = values['hyper.sampled']!;
    const output = new Float64Array(heads * n * dim);
    const logSumExp = new Float64Array(heads * n);
    const queryOrder = new Float64Array(heads * n);
    const keyOrder = new Float64Array(heads * n);
    let margin = Infinity;
    const hash = (x: readonly number[]) => {
      let bin = 0;
      for (let b = 0; b < r; b++) {
        const projected = x.reduce((t, xd, d) => t + xd * projection[d * r + b]!, 0);
        margin = Math.min(margin, Math.abs(projected));
        if (projected > 0) bin += 2 ** b;
      }
      return perm[bin]!;
    };
    const blocks = n / blockSize;
    const queryBlock = n / blocks;
    const scale = 1 / Math.sqrt(dim);
    for (let h = 0; h < heads; h++) {
      const q = Array.from({ length: n }, (_, i) => rowOf(values.q!, rows, 0, h, i));
      const k = Array.from({ length: n }, (_, j) => rowOf(values.k!, rows, 0, h, j));
      const v = Array.from({ length: n }, (_, j) => rowOf(values.v!, rows, 0, h, j));
      const sortIndex = (x: number[][]) => {
        const hashes = x.map(hash);
        return x.map((_, i) => i).sort((a, b) => hashes[a]! - hashes[b]!); // stable
      };
      const qIdx = sortIndex(q);
      const kIdx = sortIndex(k);
      const samples = Array.from({ length: m }, (_, t) => sampled[h * m + t]!);
      qIdx.forEach((i, p) => {
        const block = Math.floor(p / queryBlock);
        const blockKeys = Array.from({ length: blockSize }, (_, t) => kIdx[block * blockSize + t]!);
        const first = attend(
          blockKeys.map((j) => dot(q[i]!, k[j]!) * scale),
          blockKeys.map((j) => v[j]!),
          dim,
        );
        const kept = samples.filter((s) => Math.floor(s / blockSize) !== block).map((s) => kIdx[s]!);
        const second = attend(
          kept.map((j) => dot(q[i]!, k[j]!) * scale),
          kept.map((j) => v[j]!),
          dim,
        );
        const lse2 = second.lse + Math.log(n / m);
        const top = Math.max(first.lse, lse2);
        const lse = top + Math.log(Math.exp(first.lse - top) + Math.exp(lse2 - top));
        for (let d = 0; d < dim; d++)
          output[(h * n + i) * dim + d] =
            first.out[d]! * Math.exp(first.lse - lse) + second.out[d]! * Math.exp(lse2 - lse);
        logSumExp[h * n + i] = lse;
        queryOrder[h * n + p] = i;
      });
      kIdx.forEach((j, p) => {
        keyOrder[h * n + p] = j;
      });
    }
    return { outputs: { output, logSumExp, queryOrder, keyOrder }, margin };
  };
}

/** Exact softmax attention (non-causal), float64: what HyperAttention approximates. */
export function denseExactAttention(
  sizes: HyperAttentionSizes,
  values: Readonly<Record<string, ArrayLike<number>>>,
) {
  const { heads, headDim: dim, length: n } = sizes;
  const rows = { heads, length: n, dim };
  const output = new Float64Array(heads * n * dim);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < n; i++) {
      const q = rowOf(values.q!, rows, 0, h, i);
      const keys = Array.from({ length: n }, (_, j) => j);
      const { out } = attend(
        keys.map((j) => dot(q, rowOf(values.k!, rows, 0, h, j)) / Math.sqrt(dim)),
        keys.map((j) => rowOf(values.v!, rows, 0, h, j)),
        dim,
      );
      output.set(out, (h * n + i) * dim);
    }
  return output;
}
