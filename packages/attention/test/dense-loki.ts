import { dot, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Sizes of a Loki problem: self-attention `[1 batch, heads, length, dim]`, `[dim, rank]` projection. */
export interface LokiSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly rank: number;
  readonly topK: number;
}

/**
 * Loki written from the paper (Singhania et al. 2024, Alg. 1), float64, causal prefill: query i
 * projects q_i and every earlier key k_j onto the rank leading principal directions
 * (q̂ = q P[:, :r], k̂ = k P[:, :r]), scores ŝ_j = q̂·k̂_j, keeps the topK highest (all where fewer),
 * and attends exactly over them: softmax(q_i k_jᵀ/√d over the kept j) V.
 */
export function denseLoki(sizes: LokiSizes) {
  const { heads, length, dim, rank, topK } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const projection = values.projection!;
    const project = (x: number[]) =>
      Array.from({ length: rank }, (_, c) =>
        x.reduce((sum, value, d) => sum + value * Number(projection[d * rank + c]), 0),
      );
    const dense = { batch: 1, heads, queries: length, keys: length, headDim: dim, valueDim: dim };
    return {
      output: weightedValues(dense, values.v!, (b, h, i) => {
        const query = rowOf(values.q!, rows, b, h, i);
        const lowRankQuery = project(query);
        const ranked = Array.from({ length: i + 1 }, (_, j) => ({
          j,
          score: dot(lowRankQuery, project(rowOf(values.k!, rows, b, h, j))),
        })).sort((x, y) => y.score - x.score);
        const kept = new Set(ranked.slice(0, topK).map((entry) => entry.j));
        const keys = Array.from({ length }, (_, j) => j);
        return softmaxRow(
          keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(dim)),
          keys.map((j) => kept.has(j)),
        );
      }),
    };
  };
}
