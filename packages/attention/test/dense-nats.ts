import { dot, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Sizes of a NAtS problem: `[1, heads, length, dim]` q, k, v; `[1, length, features]` x. */
export interface NatsSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly features: number;
  readonly window: number;
}

/** Token types, the argmax of (Global, Local, SlidingWindow) logits. */
export type NatsType = 'global' | 'local' | 'slidingWindow';

/**
 * NAtS's types written from the paper (Deng & Lindauer 2025), float64: z_j = W_type x_j per head
 * (W_type `[features, heads · 3]`, column h·3 + c), t_j = argmax_c z_j (first on ties).
 */
export function denseNatsTypes(
  sizes: NatsSizes,
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
): NatsType[][] {
  const { heads, length, features } = sizes;
  const names: NatsType[] = ['global', 'local', 'slidingWindow'];
  return Array.from({ length: heads }, (_, h) =>
    Array.from({ length }, (_, j) => {
      const logits = [0, 1, 2].map((c) => {
        let total = 0;
        for (let f = 0; f < features; f++)
          total += Number(x[j * features + f]) * Number(weight[f * heads * 3 + h * 3 + c]);
        return total;
      });
      let best = 0;
      for (let c = 1; c < 3; c++) if (logits[c]! > logits[best]!) best = c;
      return names[best]!;
    }),
  );
}

/**
 * The NAtS n×n mask written from the paper and its kernel's comparisons, for one head: query i
 * keeps key j ≤ i when j is Global; when j is Local and no Global token lies in (j, i) — i at most
 * the next Global token e_j, the one that closes j's segment still sees it; when j is
 * SlidingWindow and i − j ≤ w.
 */
export function denseNatsMask(types: readonly NatsType[], window: number): boolean[][] {
  const n = types.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      if (j > i) return false;
      if (types[j] === 'global') return true;
      if (types[j] === 'slidingWindow') return i - j <= window;
      for (let g = j + 1; g < i; g++) if (types[g] === 'global') return false;
      return true;
    }),
  );
}

/** NAtS attention, float64: softmax(q_i k_jᵀ/√d over the kept j) V per head. */
export function denseNats(sizes: NatsSizes) {
  const { heads, length, dim, window } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const types = denseNatsTypes(sizes, values.x!, values.typeWeight!);
    const masks = types.map((perHead) => denseNatsMask(perHead, window));
    const dense = { batch: 1, heads, queries: length, keys: length, headDim: dim, valueDim: dim };
    return {
      output: weightedValues(dense, values.v!, (b, h, i) => {
        const query = rowOf(values.q!, rows, b, h, i);
        const keys = Array.from({ length }, (_, j) => j);
        return softmaxRow(
          keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(dim)),
          masks[h]![i]!,
        );
      }),
    };
  };
}
