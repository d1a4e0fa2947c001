// FAST / Fastmax (Gerami et al. 2024, catalog paper 26) in float64, from the paper, independently
// of the ops: normalization (`normalize=1`) q ← q − mean_d q, k ← k − mean_d k, then divided by the
// largest token norm of their (batch, head), T = 1; s_ij = q_i·k_j / T, f(s) = 1 + s + s²/2
// (p = 2) or 1 + s (p = 1); A_ij = f(s_ij) / Σ_l f(s_il) over the kept keys (l ≤ i when causal);
// O = A V. Written in the O(N²) form of its definition.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface FastmaxSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** Fastmax's query/key normalization of `[B, H, N, d]` rows. */
export function denseFastmaxNormalize(sizes: FastmaxSizes, x: ArrayLike<number>): Float64Array {
  const { batch, heads, length: n, headDim: d } = sizes;
  const out = new Float64Array(batch * heads * n * d);
  for (let bh = 0; bh < batch * heads; bh++) {
    let largest = 0;
    for (let t = 0; t < n; t++) {
      const row = Array.from({ length: d }, (_, a) => x[(bh * n + t) * d + a]!);
      const mean = row.reduce((s, value) => s + value, 0) / d;
      let norm = 0;
      row.forEach((value, a) => {
        out[(bh * n + t) * d + a] = value - mean;
        norm += (value - mean) ** 2;
      });
      largest = Math.max(largest, Math.sqrt(norm));
    }
    for (let e = bh * n * d; e < (bh + 1) * n * d; e++) out[e] = largest === 0 ? 0 : out[e]! / largest;
  }
  return out;
}

/** O = A V with A_ij = f(q_i·k_j / T) / Σ_l f(q_i·k_l / T) (q, k as given: normalize first). */
export function denseFastmax(
  sizes: FastmaxSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly degree: 1 | 2; readonly temperature: number; readonly causal: boolean },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const f = (s: number) => (options.degree === 2 ? 1 + s + (s * s) / 2 : 1 + s);
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let i = 0; i < n; i++) {
      const last = options.causal ? i : n - 1;
      const weights: number[] = [];
      for (let j = 0; j <= last; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += q[(bh * n + i) * d + a]! * k[(bh * n + j) * d + a]!;
        weights.push(f(s / options.temperature));
      }
      const total = weights.reduce((sum, w) => sum + w, 0);
      weights.forEach((w, j) => {
        for (let c = 0; c < e; c++) out[(bh * n + i) * e + c]! += (w / total) * v[(bh * n + j) * e + c]!;
      });
    }
  }
  return out;
}
