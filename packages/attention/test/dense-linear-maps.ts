// NaLaFormer (catalog paper 16), TransNormerLLM's LRPE (paper 19) and MALA (paper 103) in float64,
// each written from its paper/reference formula as an explicit O(N²) sum over query–key pairs,
// independently of the linear-attention op, its features and its reference.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface MapSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

const row = (x: ArrayLike<number>, bh: number, n: number, i: number, d: number): number[] =>
  Array.from({ length: d }, (_, c) => x[(bh * n + i) * d + c]!);

/**
 * NaLaFormer's `NormAwareLinearAttn` without its RoPE: k ← k³; q± = ReLU(±q)/‖q‖,
 * p = 3(0.5 + tanh ‖q‖); w_ij = Σ_m (q⁺_m)^p ReLU(k_m) + (q⁻_m)^p ReLU(−k_m).
 * Non-causal (the reference): o_i = (1/N)Σ_j w_ij v_j / ((1/N)Σ_j w_ij + 1e−6).
 * Causal (prefix sums, the op's constant ε): o_i = Σ_{j≤i} w_ij v_j / (Σ_{j≤i} w_ij + ε).
 */
export function denseNala(
  sizes: MapSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly causal: boolean; readonly epsilon: number },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let i = 0; i < n; i++) {
      const qi = row(q, bh, n, i, d);
      const norm = Math.hypot(...qi);
      const p = 3 * (0.5 + Math.tanh(norm));
      const last = options.causal ? i : n - 1;
      let den = 0;
      const num = new Float64Array(e);
      for (let j = 0; j <= last; j++) {
        const kj = row(k, bh, n, j, d).map((x) => x ** 3);
        let w = 0;
        for (let m = 0; m < d; m++) {
          const plus = Math.max(qi[m]!, 0) / norm;
          const minus = Math.max(-qi[m]!, 0) / norm;
          w += plus ** p * Math.max(kj[m]!, 0) + minus ** p * Math.max(-kj[m]!, 0);
        }
        den += w;
        for (let f = 0; f < e; f++) num[f]! += w * v[(bh * n + j) * e + f]!;
      }
      const scale = options.causal ? 1 : 1 / n;
      for (let f = 0; f < e; f++)
        out[(bh * n + i) * e + f] = (scale * num[f]!) / (scale * den + options.epsilon);
    }
  return out;
}

/**
 * TransNormerLLM's token mixer up to the output norm, with LRPE: q, k SiLU-mapped,
 * O_i = Σ_{j≤i} λ_h^(i−j) Σ_m q_m k_m cos(θ_hm (i − j)) v_j (no denominator).
 * `theta` is `[H, d]`, `decay` one λ per head.
 */
export function denseTransnormerLrpe(
  sizes: MapSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  theta: ArrayLike<number>,
  decay: readonly number[],
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const silu = (x: number) => x / (1 + Math.exp(-x));
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const h = bh % heads;
    for (let i = 0; i < n; i++) {
      const qi = row(q, bh, n, i, d).map(silu);
      for (let j = 0; j <= i; j++) {
        const kj = row(k, bh, n, j, d).map(silu);
        let w = 0;
        for (let m = 0; m < d; m++) w += qi[m]! * kj[m]! * Math.cos(theta[h * d + m]! * (i - j));
        w *= decay[h]! ** (i - j);
        for (let f = 0; f < e; f++) out[(bh * n + i) * e + f]! += w * v[(bh * n + j) * e + f]!;
      }
    }
  }
  return out;
}

/**
 * MALA in the paper's weight form, A_ij = β_i φ(q_i)·φ(k_j) − γ_i with φ = ELU+1 and the reference's
 * scale: S_i = (s/M)·φ(q_i)·Σ_j φ(k_j) over the M keys query i reads (M = N, or i + 1 when
 * causal), s = d^(−1/2), β_i = (1 + 1/(S_i + ε))·s/M, γ_i = S_i/M; y_i = Σ_j A_ij v_j.
 */
export function denseMala(
  sizes: MapSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly causal: boolean; readonly epsilon: number },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));
  const s = 1 / Math.sqrt(d);
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let i = 0; i < n; i++) {
      const qi = row(q, bh, n, i, d).map(phi);
      const keys = options.causal ? i + 1 : n;
      const dots = Array.from({ length: keys }, (_, j) =>
        row(k, bh, n, j, d)
          .map(phi)
          .reduce((total, x, m) => total + x * qi[m]!, 0),
      );
      const magnitude = ((s / keys) * dots.reduce((a, b) => a + b, 0)) as number;
      const beta = (1 + 1 / (magnitude + options.epsilon)) * (s / keys);
      const gamma = magnitude / keys;
      for (let j = 0; j < keys; j++) {
        const weight = beta * dots[j]! - gamma;
        for (let f = 0; f < e; f++) out[(bh * n + i) * e + f]! += weight * v[(bh * n + j) * e + f]!;
      }
    }
  return out;
}
