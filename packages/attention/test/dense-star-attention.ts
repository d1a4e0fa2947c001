import { denseRope } from './dense-analysis-readouts.js';

type Values = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Star Attention written from the paper over one sequence of `context + queries` tokens with RoPE
 * at global positions, in float64: phase 1, host ⌊p/b⌋ attends causally over [anchor block; its
 * block] (the anchor's outputs are host 0's own); phase 2, the query tokens attend causally to the
 * whole context and to themselves — the exact attention the distributed LSE merge reproduces.
 */
export function denseStarAttention(
  values: Values,
  shape: { heads: number; context: number; queries: number; headDim: number; block: number },
): Record<string, Float64Array> {
  const { heads, context, queries, headDim, block } = shape;
  const length = context + queries;
  const q = denseRope(values.q!, heads, length, headDim);
  const k = denseRope(values.k!, heads, length, headDim);
  const v = values.v!;
  const attend = (h: number, p: number, visible: (j: number) => boolean) => {
    const keys = Array.from({ length }, (_, j) => j).filter(visible);
    const logits = keys.map((j) => {
      let dot = 0;
      for (let x = 0; x < headDim; x++)
        dot += q[(h * length + p) * headDim + x]! * k[(h * length + j) * headDim + x]!;
      return dot / Math.sqrt(headDim);
    });
    const top = Math.max(...logits);
    const weights = logits.map((logit) => Math.exp(logit - top));
    const total = weights.reduce((a, b) => a + b, 0);
    return Array.from({ length: headDim }, (_, x) =>
      keys.reduce((sum, j, n) => sum + (weights[n]! / total) * v[(h * length + j) * headDim + x]!, 0),
    );
  };
  const contextOut = new Float64Array(heads * context * headDim);
  const queryOut = new Float64Array(heads * queries * headDim);
  for (let h = 0; h < heads; h++) {
    for (let p = 0; p < context; p++) {
      const host = Math.floor(p / block);
      const row = attend(h, p, (j) => j <= p && (j < block || Math.floor(j / block) === host));
      contextOut.set(row, (h * context + p) * headDim);
    }
    for (let i = 0; i < queries; i++) {
      const p = context + i;
      queryOut.set(
        attend(h, p, (j) => j <= p),
        (h * queries + i) * headDim,
      );
    }
  }
  return { context: contextOut, query: queryOut };
}
