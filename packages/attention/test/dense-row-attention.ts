import type { CaseShape } from './attention-case.js';

/** Inputs of {@link denseRowAttention}: layout as in `naiveAttention` (GQA by head groups). */
export interface DenseRowCase {
  readonly shape: CaseShape;
  readonly query: ArrayLike<number>;
  readonly key: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  /** Multiplies q·k (default 1/√dk). */
  readonly scale?: number;
  /** Keep predicate (default all). */
  readonly keep?: (b: number, h: number, i: number, j: number) => boolean;
}

/** Turns the visible scores of row (b, h, i) into one weight per visible key. */
export type RowRule = (scores: readonly number[], row: { b: number; h: number; i: number }) => number[];

/**
 * A hand-written float64 attention whose normalizer is a plain function of the row's visible
 * scores: O_i = Σ_j w_ij v_j. Independent of the IR, its Exprs and the op's evaluator.
 */
export function denseRowAttention(c: DenseRowCase, rule: RowRule): Float64Array {
  const { batch, heads, kvHeads, queries, keys, headDim, valueDim } = c.shape;
  const scale = c.scale ?? 1 / Math.sqrt(headDim);
  const output = new Float64Array(batch * heads * queries * valueDim);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor(h / (heads / kvHeads));
      for (let i = 0; i < queries; i++) {
        const visible: number[] = [];
        const scores: number[] = [];
        for (let j = 0; j < keys; j++) {
          if (c.keep !== undefined && !c.keep(b, h, i, j)) continue;
          let dot = 0;
          for (let d = 0; d < headDim; d++)
            dot +=
              c.query[((b * heads + h) * queries + i) * headDim + d]! *
              c.key[((b * kvHeads + kvHead) * keys + j) * headDim + d]!;
          visible.push(j);
          scores.push(dot * scale);
        }
        const weights = rule(scores, { b, h, i });
        visible.forEach((j, position) => {
          for (let d = 0; d < valueDim; d++)
            output[((b * heads + h) * queries + i) * valueDim + d]! +=
              weights[position]! * c.value[((b * kvHeads + kvHead) * keys + j) * valueDim + d]!;
        });
      }
    }
  return output;
}
