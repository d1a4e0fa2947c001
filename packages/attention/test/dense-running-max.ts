// Aaren (Feng et al. 2024, catalog paper 100) and Latte (Dolga et al. 2024, catalog paper 81) in
// float64, written from the papers as dense O(N²) formulas, independently of the ops (no state, no
// running max, no gates): per query t a softmax over the visible keys, max-subtracted in float64.
//   Aaren: o_t = softmax_{i≤t}(q·k_i) V (the paper's oracle: softmax(q Kᵀ + causal mask) V).
//   Latte: y_t = Σ_s P_ts v_s, P_ts = Σ_l softmax_l(q_t)_l e^(k_s,l) / Σ_{s'∈K(t)} e^(k_s',l),
//          K(t) = {s ≤ t} (causal) or every s; q and k scaled by `scale` first.

/** Sizes of `[B, H, N, d]` keys (and queries) and `[B, H, N, e]` values. */
export interface DenseSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** Aaren's output for the learned query `[H, d]`: row t = Σ_{i≤t} softmax(s)_i v_i, s_i = q·k_i. */
export function denseAarenSoftmax(
  sizes: DenseSizes,
  query: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const h = bh % heads;
    const scores = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let a = 0; a < d; a++) s += query[h * d + a]! * k[(bh * n + i) * d + a]!;
      return s;
    });
    for (let t = 0; t < n; t++) {
      const visible = scores.slice(0, t + 1);
      const top = Math.max(...visible);
      const weights = visible.map((s) => Math.exp(s - top));
      const total = weights.reduce((x, y) => x + y, 0);
      for (let c = 0; c < e; c++) {
        let acc = 0;
        for (let i = 0; i <= t; i++) acc += weights[i]! * v[(bh * n + i) * e + c]!;
        out[(bh * n + t) * e + c] = acc / total;
      }
    }
  }
  return out;
}

/** Latte's output (`headDim` = L latents), causal or bidirectional, q and k scaled by `scale`. */
export function denseLatte(
  sizes: DenseSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  { causal, scale }: { readonly causal: boolean; readonly scale: number },
): Float64Array {
  const { batch, heads, length: n, headDim: L, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const key = (s: number, l: number) => scale * k[(bh * n + s) * L + l]!;
    for (let t = 0; t < n; t++) {
      const row = Array.from({ length: L }, (_, l) => scale * q[(bh * n + t) * L + l]!);
      const rowTop = Math.max(...row);
      const rowExp = row.map((x) => Math.exp(x - rowTop));
      const rowSum = rowExp.reduce((x, y) => x + y, 0);
      const last = causal ? t : n - 1;
      const weights = new Float64Array(last + 1);
      for (let l = 0; l < L; l++) {
        let top = -Infinity;
        for (let s = 0; s <= last; s++) top = Math.max(top, key(s, l));
        let column = 0;
        for (let s = 0; s <= last; s++) column += Math.exp(key(s, l) - top);
        for (let s = 0; s <= last; s++)
          weights[s]! += ((rowExp[l]! / rowSum) * Math.exp(key(s, l) - top)) / column;
      }
      for (let c = 0; c < e; c++) {
        let acc = 0;
        for (let s = 0; s <= last; s++) acc += weights[s]! * v[(bh * n + s) * e + c]!;
        out[(bh * n + t) * e + c] = acc;
      }
    }
  }
  return out;
}
