/**
 * Linformer's head_i = softmax(Q_i (E_i K_i)ᵀ / √d) (F_i V_i) in float64 with plain loops, from the
 * paper's formula, independently of the IR. Layout `[1, heads, n, d]`; `keyProjection` and
 * `valueProjection` are per head `[heads, k, n]`. Returns the output `[heads, n, d]`.
 */
export function denseLinformer(
  values: Readonly<Record<string, ArrayLike<number>>>,
  sizes: { heads: number; length: number; dim: number; projected: number },
): Float64Array {
  const { heads, length, dim, projected } = sizes;
  const q = values.q!;
  const k = values.k!;
  const v = values.v!;
  const e = values['linformer.keyProjection']!;
  const f = values['linformer.valueProjection']!;
  const output = new Float64Array(heads * length * dim);
  for (let h = 0; h < heads; h++) {
    const projectedKey = new Float64Array(projected * dim);
    const projectedValue = new Float64Array(projected * dim);
    for (let r = 0; r < projected; r++)
      for (let c = 0; c < dim; c++)
        for (let n = 0; n < length; n++) {
          const at = (h * projected + r) * length + n;
          projectedKey[r * dim + c]! += Number(e[at]) * Number(k[(h * length + n) * dim + c]);
          projectedValue[r * dim + c]! += Number(f[at]) * Number(v[(h * length + n) * dim + c]);
        }
    for (let i = 0; i < length; i++) {
      const scores = new Float64Array(projected);
      for (let r = 0; r < projected; r++) {
        for (let c = 0; c < dim; c++)
          scores[r]! += Number(q[(h * length + i) * dim + c]) * projectedKey[r * dim + c]!;
        scores[r]! /= Math.sqrt(dim);
      }
      const top = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - top));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let r = 0; r < projected; r++)
        for (let c = 0; c < dim; c++)
          output[(h * length + i) * dim + c]! += (weights[r]! / total) * projectedValue[r * dim + c]!;
    }
  }
  return output;
}
