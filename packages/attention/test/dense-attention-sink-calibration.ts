import { dot, rowOf } from './dense-heads.js';

/** Sizes and settings of an ACT problem (causal self-attention, MHA, `[1, heads, length, dim]`). */
export interface ActSizes {
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly threshold: number;
  readonly beta: number;
  readonly calibratedHeads: readonly number[];
}

/** One head's calibration, float64: its column scores, sink set S and calibrated probabilities. */
export interface ActHead {
  readonly columnScores: number[];
  readonly sinks: number[];
  readonly probabilities: number[][];
}

/**
 * ACT's `atten_process_eval` for one head, float64, written from the paper's code step by step:
 * A = causal softmax(q kᵀ/√d); c_j = Σ_i A_ij / (n − j); S = indices with c_j > τ, without the first;
 * avail_i = (1 − β) Σ_{j∈S} A_ij; A_ij ← β A_ij on S; Ã = A with the S columns of rows ≥ 1 zeroed;
 * A_ij ← A_ij + avail_i Ã_ij / Σ_k Ã_ik; A_00 = 1.
 */
export function actHead(
  sizes: ActSizes,
  query: ArrayLike<number>,
  key: ArrayLike<number>,
  h: number,
): ActHead {
  const { heads, length: n, headDim, threshold, beta } = sizes;
  const rows = { heads, length: n, dim: headDim };
  const scale = 1 / Math.sqrt(headDim);
  const attention = Array.from({ length: n }, (_, i) => {
    const q = rowOf(query, rows, 0, h, i);
    const scores = Array.from({ length: n }, (_, j) =>
      j <= i ? dot(q, rowOf(key, rows, 0, h, j)) * scale : -Infinity,
    );
    const top = Math.max(...scores);
    const exps = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - top)));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
  const columnScores = Array.from(
    { length: n },
    (_, j) => attention.reduce((total, row) => total + row[j]!, 0) / (n - j),
  );
  const sinks = columnScores.flatMap((c, j) => (c > threshold ? [j] : [])).slice(1);
  const available = attention.map((row) => (1 - beta) * sinks.reduce((t, j) => t + row[j]!, 0));
  const modified = attention.map((row) => row.map((a, j) => (sinks.includes(j) ? beta * a : a)));
  const copied = attention.map((row, i) => row.map((a, j) => (i >= 1 && sinks.includes(j) ? 0 : a)));
  const probabilities = modified.map((row, i) => {
    const total = copied[i]!.reduce((a, b) => a + b, 0);
    return row.map((a, j) => a + available[i]! * (copied[i]![j]! / total));
  });
  probabilities[0]![0] = 1;
  return { columnScores, sinks, probabilities };
}

/** ACT's output O = A′V per head (A′ = A on the heads not calibrated), its column scores and sink table. */
export function denseAttentionSinkCalibration(sizes: ActSizes) {
  const { heads, length: n, headDim, calibratedHeads } = sizes;
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const perHead = Array.from({ length: heads }, (_, h) => actHead(sizes, values.q!, values.k!, h));
    const output = new Float64Array(heads * n * headDim);
    const sinks = new Float64Array(heads * n);
    perHead.forEach((head, h) => {
      const calibrated = calibratedHeads.includes(h);
      if (calibrated) for (const j of head.sinks) sinks[h * n + j] = 1;
      // The uncalibrated head keeps A: rebuild it with β = 1 (no change to any weight).
      const weights = calibrated
        ? head.probabilities
        : actHead({ ...sizes, beta: 1 }, values.q!, values.k!, h).probabilities;
      for (let i = 0; i < n; i++)
        for (let d = 0; d < headDim; d++) {
          let total = 0;
          for (let j = 0; j < n; j++) total += weights[i]![j]! * values.v![(h * n + j) * headDim + d]!;
          output[(h * n + i) * headDim + d] = total;
        }
    });
    return { output, columnScores: Float64Array.from(perHead.flatMap((head) => head.columnScores)), sinks };
  };
}
