// Linear Log-Normal attention (Nahshan et al. 2023, catalog paper 17) in float64, from the paper
// and its reference module, independently of the ops: σ_q, σ_k the sample std of the whole q and
// k tensors; σ̃² = (σ_q²σ_k² − b)/(2a), a = 0.14855178144710912, b = −0.35487039130661086;
// α = σ̃/σ_q, β = σ̃/σ_k; Q = exp(αq − max_d αq) per token, K = exp(βk − max_{n,d} βk) per
// (batch, head); O_i = Q_i Σ_{j∈K(i)} K_jᵀ v_j / (Q_i·Σ_{j∈K(i)} K_j + ε), computed as the
// running sums of the recurrent form.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface LlnSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

function sampleStd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let squares = 0;
  for (let i = 0; i < x.length; i++) squares += (x[i]! - mean) ** 2;
  return Math.sqrt(squares / (x.length - 1));
}

/** LLN attention outputs `[B, H, N, d_v]`. */
export function denseLln(
  sizes: LlnSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly epsilon: number; readonly causal: boolean },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const a = 0.14855178144710912;
  const b = -0.35487039130661086;
  const sq = sampleStd(q);
  const sk = sampleStd(k);
  const target = Math.sqrt((sq * sq * sk * sk - b) / (2 * a));
  const alpha = target / sq;
  const beta = target / sk;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    let keyMax = -Infinity;
    for (let t = 0; t < n * d; t++) keyMax = Math.max(keyMax, beta * k[bh * n * d + t]!);
    const K = Array.from({ length: n }, (_, j) =>
      Array.from({ length: d }, (_, c) => Math.exp(beta * k[(bh * n + j) * d + c]! - keyMax)),
    );
    const Q = Array.from({ length: n }, (_, i) => {
      const row = Array.from({ length: d }, (_, c) => alpha * q[(bh * n + i) * d + c]!);
      const top = Math.max(...row);
      return row.map((x) => Math.exp(x - top));
    });
    const S = Array.from({ length: d }, () => new Float64Array(e));
    const z = new Float64Array(d);
    const absorb = (j: number) => {
      for (let c = 0; c < d; c++) {
        z[c]! += K[j]![c]!;
        for (let f = 0; f < e; f++) S[c]![f]! += K[j]![c]! * v[(bh * n + j) * e + f]!;
      }
    };
    const read = (i: number) => {
      let den = 0;
      for (let c = 0; c < d; c++) den += Q[i]![c]! * z[c]!;
      for (let f = 0; f < e; f++) {
        let num = 0;
        for (let c = 0; c < d; c++) num += Q[i]![c]! * S[c]![f]!;
        out[(bh * n + i) * e + f] = num / (den + options.epsilon);
      }
    };
    if (options.causal)
      for (let i = 0; i < n; i++) {
        absorb(i);
        read(i);
      }
    else {
      for (let j = 0; j < n; j++) absorb(j);
      for (let i = 0; i < n; i++) read(i);
    }
  }
  return out;
}
