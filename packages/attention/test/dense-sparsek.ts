import { dot, rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of a SparseK problem (batch 1, heads = kv heads): `[1, heads, n, dim]`, x `[1, n, model]`. */
export interface SparseKSizes {
  readonly heads: number;
  readonly n: number;
  readonly dim: number;
  readonly model: number;
  readonly k: number;
  readonly positionSlope: number;
  /** Name prefix of the score weights (`${name}.score.weight`, `${name}.score.bias`). */
  readonly name: string;
}

/**
 * The SparseK operator (Lou et al. 2024, eq. for SparseK(z, k)): the τ with Σ_j clip(z_j − τ, 0, 1)
 * = k, found exactly. The sum is piecewise linear in τ with breakpoints z_j and z_j − 1: evaluate it
 * at every breakpoint (sorted) and interpolate on the segment where it crosses k.
 */
export function sparseKThreshold(z: readonly number[], k: number): number {
  const mass = (tau: number) => z.reduce((s, value) => s + Math.min(1, Math.max(0, value - tau)), 0);
  const points = [...z, ...z.map((value) => value - 1)].sort((a, b) => a - b);
  for (let p = 0; p + 1 < points.length; p++) {
    const [a, b] = [points[p]!, points[p + 1]!];
    const [fa, fb] = [mass(a), mass(b)];
    if (fa >= k && fb <= k) return fa === fb ? a : a + ((fa - k) / (fa - fb)) * (b - a);
  }
  throw new Error('no threshold: k exceeds the number of entries');
}

/**
 * SparseK attention written from the paper (§3, catalog #86), float64, per query: scores
 * u_j = x_j·w_h + b_h + slope·j; for query i the candidates are j ≤ i; m = SparseK(u_{≤i}, k)
 * (all 1 where i + 1 ≤ k); I_i = the top k of u_{≤i};
 * o_i = softmax(q_i K_Iᵀ/√d)(m_I ⊙ V_I). Returns `output`.
 */
export function denseSparseK(sizes: SparseKSizes) {
  const { heads, n, dim, model, k, positionSlope, name } = sizes;
  const rows = { heads, length: n, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const weight = values[`${name}.score.weight`]!;
    const bias = values[`${name}.score.bias`];
    const score = (h: number, j: number) => {
      const x = rowOf(values.x!, { heads: 1, length: n, dim: model }, 0, 0, j);
      const projected = x.reduce((s, xi, r) => s + xi * Number(weight[r * heads + h]), 0);
      return projected + (bias === undefined ? 0 : Number(bias[h])) + positionSlope * j;
    };
    const output: number[] = [];
    for (let h = 0; h < heads; h++) {
      const u = Array.from({ length: n }, (_, j) => score(h, j));
      for (let i = 0; i < n; i++) {
        const z = u.slice(0, i + 1);
        const tau = i + 1 <= k ? undefined : sparseKThreshold(z, k);
        const m = z.map((value) => (tau === undefined ? 1 : Math.min(1, Math.max(0, value - tau))));
        const order = z.map((_, j) => j).sort((a, b) => z[b]! - z[a]!);
        const kept = new Set(order.slice(0, k));
        const q = rowOf(values.q!, rows, 0, h, i);
        const weights = softmaxRow(
          z.map((_, j) => dot(q, rowOf(values.k!, rows, 0, h, j)) / Math.sqrt(dim)),
          z.map((_, j) => kept.has(j)),
        );
        const out = new Array<number>(dim).fill(0);
        weights.forEach((w, j) => {
          const v = rowOf(values.v!, rows, 0, h, j);
          for (let e = 0; e < dim; e++) out[e]! += w * m[j]! * v[e]!;
        });
        output.push(...out);
      }
    }
    return { output: Float64Array.from(output) };
  };
}
