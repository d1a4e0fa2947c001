// LAWCAT (Liu et al., catalog paper 97) in float64, from the catalog's formulas, independently of
// the ops: q̃_t = Σ_{i=0}^{3} w_i ⊙ q_{t−i} (rows before 0 are zero; w_i is tap 3 − i of the
// PyTorch-layout weight [H·d, 1, 4]), the same for k̃; G_t = σ(a_t)^(1/16);
// S_t = G_t ⊙ S_{t−1} + φ(k̃_t) v_tᵀ, z_t = G_t ⊙ z_{t−1} + φ(k̃_t) (G_t per key dimension),
// y_t = φ(q̃_t)ᵀS_t / (φ(q̃_t)ᵀz_t + ε), φ = ELU+1.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface LawcatSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** LAWCAT outputs `[B, H, N, d_v]`. */
export function denseLawcat(
  sizes: LawcatSizes,
  values: {
    readonly q: ArrayLike<number>;
    readonly k: ArrayLike<number>;
    readonly v: ArrayLike<number>;
    readonly gateLogits: ArrayLike<number>;
  },
  weights: { readonly q: ArrayLike<number>; readonly k: ArrayLike<number> },
  epsilon: number,
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));
  const at = (x: ArrayLike<number>, bh: number, t: number, c: number, w = d) =>
    t < 0 ? 0 : x[(bh * n + t) * w + c]!;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const h = bh % heads;
    const convolved = (x: ArrayLike<number>, w: ArrayLike<number>, t: number, c: number) => {
      let total = 0;
      for (let i = 0; i <= 3; i++) total += w[(h * d + c) * 4 + (3 - i)]! * at(x, bh, t - i, c);
      return total;
    };
    const S = Array.from({ length: d }, () => new Float64Array(e));
    const z = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      for (let c = 0; c < d; c++) {
        const gate = (1 / (1 + Math.exp(-at(values.gateLogits, bh, t, c)))) ** (1 / 16);
        const key = phi(convolved(values.k, weights.k, t, c));
        z[c] = gate * z[c]! + key;
        for (let f = 0; f < e; f++) S[c]![f] = gate * S[c]![f]! + key * at(values.v, bh, t, f, e);
      }
      const query = Array.from({ length: d }, (_, c) => phi(convolved(values.q, weights.q, t, c)));
      const den = query.reduce((total, x, c) => total + x * z[c]!, 0) + epsilon;
      for (let f = 0; f < e; f++)
        out[(bh * n + t) * e + f] = query.reduce((total, x, c) => total + x * S[c]![f]!, 0) / den;
    }
  }
  return out;
}
