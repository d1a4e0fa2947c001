import { dot, rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of a Δ Attention problem: self-attention `[1, heads, length, dim]`. */
export interface DeltaAttentionSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly sink: number;
  readonly window: number;
  readonly gamma: number;
}

/**
 * Δ Attention written from the paper (Willette et al. 2025, catalog #65), float64, query by query:
 * O^sparse_i = softmax over the keys j ≤ i with j < sink or i − j < window; O^full_i = causal
 * softmax over all j ≤ i; the representative of query i is r = ⌊i/γ⌋·γ, the first query of its
 * block (the official code's `arange(0, N, step=γ)`); O_i = O^sparse_i + O^full_r − O^sparse_r.
 */
export function denseDeltaAttention(sizes: DeltaAttentionSizes) {
  const { heads, length, dim, sink, window, gamma } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const attend = (h: number, i: number, keep: (j: number) => boolean): number[] => {
      const query = rowOf(values.q!, rows, 0, h, i);
      const keys = Array.from({ length }, (_, j) => j);
      const weights = softmaxRow(
        keys.map((j) => dot(query, rowOf(values.k!, rows, 0, h, j)) / Math.sqrt(dim)),
        keys.map((j) => j <= i && keep(j)),
      );
      const out = new Array<number>(dim).fill(0);
      weights.forEach((w, j) => {
        rowOf(values.v!, rows, 0, h, j).forEach((x, e) => {
          out[e]! += w * x;
        });
      });
      return out;
    };
    const sparseRow = (h: number, i: number) => attend(h, i, (j) => j < sink || i - j < window);
    const output: number[] = [];
    const sparse: number[] = [];
    for (let h = 0; h < heads; h++) {
      for (let r = 0; r < length; r += gamma) {
        const full = attend(h, r, () => true);
        const correction = sparseRow(h, r).map((x, e) => full[e]! - x);
        for (let i = r; i < r + gamma; i++) {
          const row = sparseRow(h, i);
          sparse.push(...row);
          output.push(...row.map((x, e) => x + correction[e]!));
        }
      }
    }
    return { output, sparse };
  };
}
