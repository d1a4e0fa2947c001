import { dot, rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of a DHSA problem: self-attention `[1, heads, length, dim]`, chunk ids as an input `chunks`. */
export interface DhsaSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly topK: number;
}

/**
 * DHSA written from the paper (Xiong et al. 2025, catalog #30), float64, with the chunks given by
 * the `chunks` ids: per chunk c, k̄_c = √|C_c| · mean_{t∈C_c} k_t and q̄_c alike; S_c[a][b] = q̄_a·k̄_b;
 * S_tok[i][j] = S_c[c(i)][c(j)]; query i keeps the keys j ≤ i whose S_tok is at least the k-th
 * largest among them (all where at most k exist); o_i = softmax(q_i·k_j/√d over kept j) V.
 * Returns the output and the selection `keep` (1 kept, 0 not), `[1, heads, N, N]`.
 */
export function denseDhsa(sizes: DhsaSizes) {
  const { heads, length, dim, topK } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const chunkOf = Array.from(values.chunks!, Number);
    const members = new Map<number, number[]>();
    chunkOf.forEach((chunk, t) => {
      members.set(chunk, [...(members.get(chunk) ?? []), t]);
    });
    const output: number[] = [];
    const keep: number[] = [];
    for (let h = 0; h < heads; h++) {
      const represent = (data: ArrayLike<number>, chunk: number) => {
        const tokens = members.get(chunk)!;
        const mean = new Array<number>(dim).fill(0);
        for (const t of tokens)
          rowOf(data, rows, 0, h, t).forEach((x, e) => {
            mean[e]! += x / tokens.length;
          });
        return mean.map((x) => Math.sqrt(tokens.length) * x);
      };
      const chunkIds = [...members.keys()];
      const queries = new Map(chunkIds.map((chunk) => [chunk, represent(values.q!, chunk)]));
      const keys = new Map(chunkIds.map((chunk) => [chunk, represent(values.k!, chunk)]));
      const chunkScore = (a: number, b: number) => dot(queries.get(a)!, keys.get(b)!);
      for (let i = 0; i < length; i++) {
        const causalScores = Array.from({ length: i + 1 }, (_, j) => chunkScore(chunkOf[i]!, chunkOf[j]!));
        const sorted = [...causalScores].sort((a, b) => b - a);
        const threshold = sorted.length <= topK ? -Infinity : sorted[topK - 1]!;
        const kept = Array.from({ length }, (_, j) => j <= i && causalScores[j]! >= threshold);
        keep.push(...kept.map((k) => (k ? 1 : 0)));
        const query = rowOf(values.q!, rows, 0, h, i);
        const weights = softmaxRow(
          kept.map((_, j) => dot(query, rowOf(values.k!, rows, 0, h, j)) / Math.sqrt(dim)),
          kept,
        );
        const out = new Array<number>(dim).fill(0);
        weights.forEach((w, j) => {
          if (w !== 0)
            rowOf(values.v!, rows, 0, h, j).forEach((x, e) => {
              out[e]! += w * x;
            });
        });
        output.push(...out);
      }
    }
    return { output, keep };
  };
}
