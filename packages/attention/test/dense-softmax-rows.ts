/** Where one softmax row is taken: head h, query position p, over the visible keys. Layout `[1, H, N, d]`. */
export interface DenseRowAt {
  readonly h: number;
  readonly p: number;
  readonly length: number;
  readonly headDim: number;
  readonly visible: (j: number) => boolean;
}

/** a_{p,j} = softmax_j(q_p·k_j/√d) over the visible keys (0 elsewhere), float64: `[N]`. */
export function denseSoftmaxRow(q: ArrayLike<number>, k: ArrayLike<number>, at: DenseRowAt): Float64Array {
  const { h, p, length, headDim, visible } = at;
  const logits = Array.from({ length }, (_, j) => {
    if (!visible(j)) return Number.NEGATIVE_INFINITY;
    let dot = 0;
    for (let x = 0; x < headDim; x++)
      dot += q[(h * length + p) * headDim + x]! * k[(h * length + j) * headDim + x]!;
    return dot / Math.sqrt(headDim);
  });
  const top = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return Float64Array.from(weights, (weight) => weight / total);
}

/** O_p = Σ_j a_{p,j} v_j of {@link denseSoftmaxRow}: `[d]`. */
export function denseAttentionRow(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  at: DenseRowAt,
): Float64Array {
  const weights = denseSoftmaxRow(q, k, at);
  const { h, length, headDim } = at;
  return Float64Array.from({ length: headDim }, (_, x) =>
    weights.reduce((sum, weight, j) => sum + weight * v[(h * length + j) * headDim + x]!, 0),
  );
}
