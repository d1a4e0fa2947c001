/**
 * Attention Sorting (45) and the massive-value statistics (92) written from their papers' formulas
 * in float64, independent of the attention op, its readouts and its RoPE: the second oracle of the
 * analysis entries. Layout `[1, H, N, d]`.
 */

type Values = Readonly<Record<string, ArrayLike<number>>>;

/** score(D) = Σ_{t∈D} mean_{l,h} A^{l,h}_{last,t}, A = causal softmax(q kᵀ/√d), per key segment. */
export function denseAttentionSorting(
  values: Values,
  shape: { heads: number; length: number; headDim: number; layers: number; segmentStarts: readonly number[] },
): Record<string, Float64Array> {
  const { heads, length, headDim, layers, segmentStarts } = shape;
  const scores = new Float64Array(segmentStarts.length);
  const segmentOf = (t: number) => segmentStarts.filter((start) => start <= t).length - 1;
  for (let layer = 0; layer < layers; layer++) {
    const q = values[`q${layer}`]!;
    const k = values[`k${layer}`]!;
    for (let h = 0; h < heads; h++) {
      const last = (h * length + length - 1) * headDim;
      // The last query sees every key under the causal mask.
      const logits = Array.from({ length }, (_, t) => {
        let dot = 0;
        for (let x = 0; x < headDim; x++) dot += q[last + x]! * k[(h * length + t) * headDim + x]!;
        return dot / Math.sqrt(headDim);
      });
      const top = Math.max(...logits);
      const weights = logits.map((logit) => Math.exp(logit - top));
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((weight, t) => {
        scores[segmentOf(t)]! += weight / total / (layers * heads);
      });
    }
  }
  return { scores };
}

/**
 * M_{h,d} = (Σ_t x_{t,h,d}²)^½ of q and k, and of RoFormer's rotation in the `half` pairing:
 * token t turns dims (i, i + d/2) by t·10000^(−2i/d).
 */
export function denseMassiveValues(
  values: Values,
  shape: { heads: number; length: number; headDim: number },
): Record<string, Float64Array> {
  const { heads, length, headDim } = shape;
  const half = headDim / 2;
  const rotated = (x: ArrayLike<number>) => {
    const out = new Float64Array(x.length);
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < length; t++) {
        const row = (h * length + t) * headDim;
        for (let i = 0; i < half; i++) {
          const angle = t * 10000 ** ((-2 * i) / headDim);
          const [a, b] = [x[row + i]!, x[row + i + half]!];
          out[row + i] = a * Math.cos(angle) - b * Math.sin(angle);
          out[row + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
        }
      }
    return out;
  };
  const norms = (x: ArrayLike<number>) => {
    const out = new Float64Array(heads * headDim);
    for (let h = 0; h < heads; h++)
      for (let d = 0; d < headDim; d++) {
        let squares = 0;
        for (let t = 0; t < length; t++) squares += x[(h * length + t) * headDim + d]! ** 2;
        out[h * headDim + d] = Math.sqrt(squares);
      }
    return out;
  };
  const q = values.q!;
  const k = values.k!;
  return {
    queryNorms: norms(q),
    keyNorms: norms(k),
    rotatedQueryNorms: norms(rotated(q)),
    rotatedKeyNorms: norms(rotated(k)),
  };
}
