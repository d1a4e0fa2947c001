// Exponential feature maps in float64, written from their definitions, independently of the ops:
// φ(x)_l = exp(x_l − max_j x_j) (a row's own max), or for keys exp(x_l − max over every key and
// feature of the (batch, head)) (ReGLA, catalog paper 22, φ_k); the softmax over features divides
// a row by its sum. Then ReGLA's recurrence without its gate, S_t = S_{t−1} + φ_k(k_t) v_tᵀ,
// o_t = c·φ_q(q_t)ᵀ S_t, or the plain ratio with a denominator, o_i = φ(q_i)ᵀS_i / φ(q_i)ᵀz_i.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface ExpSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** φ of every row of `[B, H, N, d]`. */
export function denseExpFeatures(
  sizes: ExpSizes,
  x: ArrayLike<number>,
  options: { readonly shift: 'row' | 'sequence'; readonly softmax: boolean; readonly scale?: number },
): Float64Array {
  const { batch, heads, length: n, headDim: d } = sizes;
  const out = new Float64Array(batch * heads * n * d);
  for (let bh = 0; bh < batch * heads; bh++) {
    let sequenceMax = -Infinity;
    for (let t = 0; t < n * d; t++) sequenceMax = Math.max(sequenceMax, x[bh * n * d + t]!);
    for (let t = 0; t < n; t++) {
      const row = Array.from({ length: d }, (_, c) => x[(bh * n + t) * d + c]!);
      const shift = options.shift === 'row' ? Math.max(...row) : sequenceMax;
      const features = row.map((value) => Math.exp(value - shift));
      const total = options.softmax ? features.reduce((s, value) => s + value, 0) : 1;
      features.forEach((value, c) => {
        out[(bh * n + t) * d + c] = ((options.scale ?? 1) * value) / total;
      });
    }
  }
  return out;
}

/** Linear attention over given features: o_i = φq_iᵀ S_i (/ φq_iᵀ z_i + ε with a denominator). */
export function denseFeatureAttention(
  sizes: ExpSizes,
  phiQ: ArrayLike<number>,
  phiK: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly causal: boolean; readonly epsilon: number | null },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const S = Array.from({ length: d }, () => new Float64Array(e));
    const z = new Float64Array(d);
    const absorb = (j: number) => {
      for (let c = 0; c < d; c++) {
        const feature = phiK[(bh * n + j) * d + c]!;
        z[c]! += feature;
        for (let f = 0; f < e; f++) S[c]![f]! += feature * v[(bh * n + j) * e + f]!;
      }
    };
    const read = (i: number) => {
      let den = 0;
      for (let c = 0; c < d; c++) den += phiQ[(bh * n + i) * d + c]! * z[c]!;
      for (let f = 0; f < e; f++) {
        let num = 0;
        for (let c = 0; c < d; c++) num += phiQ[(bh * n + i) * d + c]! * S[c]![f]!;
        out[(bh * n + i) * e + f] = options.epsilon === null ? num : num / (den + options.epsilon);
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
