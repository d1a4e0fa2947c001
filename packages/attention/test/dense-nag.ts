import { dot, rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of a NAG cross-attention layer: `[1, heads, length, dim]` operands. */
export interface NagSizes {
  readonly heads: number;
  readonly queries: number;
  readonly positiveKeys: number;
  readonly negativeKeys: number;
  readonly dim: number;
  readonly scale: number;
  readonly tau: number;
  readonly alpha: number;
}

/**
 * Normalized Attention Guidance written from the paper (Chen et al. 2025, catalog #35), float64,
 * token by token: Z⁺ and Z⁻ are the softmax(q Kᵀ/√d) V of each prompt with the heads concatenated
 * (head-major, as the output projection reads them); Z̃ = φZ⁺ − (φ−1)Z⁻; r = ‖Z̃‖₁/‖Z⁺‖₁;
 * Ẑ = Z̃·min(r, τ)/r; Z = αẐ + (1−α)Z⁺. Also returns how many tokens were clipped (r > τ).
 */
export function denseNag(sizes: NagSizes) {
  const { heads, queries, dim, scale, tau, alpha } = sizes;
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const attend = (which: 'positive' | 'negative', keys: number, i: number): number[] => {
      const features: number[] = [];
      for (let h = 0; h < heads; h++) {
        const query = rowOf(values.q!, { heads, length: queries, dim }, 0, h, i);
        const rows = { heads, length: keys, dim };
        const key = (j: number) => rowOf(values[`${which}.k`]!, rows, 0, h, j);
        const value = (j: number) => rowOf(values[`${which}.v`]!, rows, 0, h, j);
        const weights = softmaxRow(
          Array.from({ length: keys }, (_, j) => dot(query, key(j)) / Math.sqrt(dim)),
        );
        for (let e = 0; e < dim; e++)
          features.push(weights.reduce((total, w, j) => total + w * value(j)[e]!, 0));
      }
      return features;
    };
    const output: number[] = [];
    const positive: number[] = [];
    const negative: number[] = [];
    let clipped = 0;
    for (let i = 0; i < queries; i++) {
      const plus = attend('positive', sizes.positiveKeys, i);
      const minus = attend('negative', sizes.negativeKeys, i);
      const guided = plus.map((p, e) => scale * p - (scale - 1) * minus[e]!);
      const l1 = (x: readonly number[]) => x.reduce((total, value) => total + Math.abs(value), 0);
      const r = l1(guided) / l1(plus);
      if (r > tau) clipped++;
      const factor = Math.min(r, tau) / r;
      output.push(...guided.map((g, e) => alpha * g * factor + (1 - alpha) * plus[e]!));
      positive.push(...plus);
      negative.push(...minus);
    }
    return { outputs: { output, positive, negative }, clipped };
  };
}
