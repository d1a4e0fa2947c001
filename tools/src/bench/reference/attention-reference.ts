/** Sizes of a multi-head attention problem. */
export interface AttentionShape {
  /** Batch size B. */
  readonly batch: number;
  /** Heads H. */
  readonly heads: number;
  /** Query and key length N (self-attention). */
  readonly sequence: number;
  /** Head dimension d. */
  readonly headDim: number;
  /** Whether query i attends only to keys j ≤ i. */
  readonly causal: boolean;
}

/**
 * Multi-head softmax attention in float64, `softmax(q kᵀ / √d [+ causal mask]) v` per head, with
 * q, k, v and the output laid out `[B, N, H·d]` (heads side by side, as ONNX `MultiHeadAttention`).
 */
export function attentionReference(
  query: ArrayLike<number>,
  key: ArrayLike<number>,
  value: ArrayLike<number>,
  shape: AttentionShape,
): Float64Array {
  const { batch, heads, sequence, headDim, causal } = shape;
  const hidden = heads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  const result = new Float64Array(batch * sequence * hidden);
  const scores = new Float64Array(sequence);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < sequence; i++) {
        const queryOffset = (b * sequence + i) * hidden + h * headDim;
        const keys = causal ? i + 1 : sequence;
        let largest = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < keys; j++) {
          const keyOffset = (b * sequence + j) * hidden + h * headDim;
          let dot = 0;
          for (let c = 0; c < headDim; c++) dot += query[queryOffset + c]! * key[keyOffset + c]!;
          scores[j] = dot * scale;
          largest = Math.max(largest, scores[j]!);
        }
        let total = 0;
        for (let j = 0; j < keys; j++) {
          scores[j] = Math.exp(scores[j]! - largest);
          total += scores[j]!;
        }
        for (let j = 0; j < keys; j++) {
          const weight = scores[j]! / total;
          const valueOffset = (b * sequence + j) * hidden + h * headDim;
          for (let c = 0; c < headDim; c++) result[queryOffset + c]! += weight * value[valueOffset + c]!;
        }
      }
    }
  }
  return result;
}
