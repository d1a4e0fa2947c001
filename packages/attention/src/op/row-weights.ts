import { compileExpr, type ExprEnv } from '@weft/ir';
import type { NormalizerAttrs } from './attention-attrs.js';
import { groupedSoftmaxRow } from './grouped-softmax-row.js';
import { l1Row } from './l1-row.js';
import { type PLaplacianValues, pLaplacianRow } from './p-laplacian-row.js';
import { topThetaRow } from './top-theta-row.js';

/** Weights of the kept keys of one row, and the row's log-sum-exp (softmax; −∞ elsewhere). */
export interface RowWeights {
  /** One weight per kept score, in order. */
  readonly weights: readonly number[];
  /** log Σ exp(score) (+ sink), −∞ for an empty row or a non-softmax normalizer. */
  readonly logSumExp: number;
  /** A row added to the output with a weight (the p-Laplacian feature term β_i·x_i), if any. */
  readonly selfTerm?: { readonly weight: number; readonly row: readonly number[] };
}

/** Where a row lives: the Expr environment (for per-head parameters) and the call's key count. */
export interface RowContext {
  /** Environment binding `h` (and reads) for parameter Exprs. */
  readonly env: ExprEnv;
  /** Keys of the call (Nk). */
  readonly keys: number;
  /** The kept keys' value rows (the p-Laplacian normalizer's distances read them). */
  readonly values?: PLaplacianValues;
  /** Positions of the kept keys, in order (position-aware normalizers: grouped softmax). */
  readonly keyIndices?: readonly number[];
  /** Position of the row's query among the keys, i + Nk − Nq. */
  readonly queryPosition?: number;
}

/** Applies `normalizer` to the kept scores of one row, in float64. Empty rows give no weights. */
export function rowWeights(
  normalizer: NormalizerAttrs,
  scores: readonly number[],
  context: RowContext,
): RowWeights {
  switch (normalizer.name) {
    case 'softmax':
      return softmaxRow(
        scores,
        normalizer.sink === null ? undefined : compileExpr(normalizer.sink)(context.env),
      );
    case 'sigmoid': {
      const bias = compileExpr(normalizer.bias)(context.env);
      return { weights: scores.map((s) => 1 / (1 + Math.exp(-(s + bias)))), logSumExp: -Infinity };
    }
    case 'reluSquared':
      return { weights: scores.map((s) => Math.max(s, 0) ** 2 / context.keys), logSumExp: -Infinity };
    case 'l1':
      return { weights: l1Row(normalizer, scores), logSumExp: -Infinity };
    case 'topTheta': {
      const threshold = compileExpr(normalizer.threshold)(context.env);
      return { weights: topThetaRow(scores, threshold, normalizer.compensation), logSumExp: -Infinity };
    }
    case 'entmax': {
      const alpha = Math.min(Math.max(compileExpr(normalizer.alpha)(context.env), 1.01), 2);
      return { weights: entmaxRow(scores, alpha), logSumExp: -Infinity };
    }
    case 'identity':
      // No division: the output norm (applied to the summed row) fixes the scale.
      return { weights: [...scores], logSumExp: -Infinity };
    case 'pLaplacian': {
      const row = pLaplacianRow(normalizer, scores, context.env, context.values ?? noValues);
      return {
        weights: row.weights,
        logSumExp: -Infinity,
        selfTerm: { weight: row.selfWeight, row: row.features },
      };
    }
    case 'groupedSoftmax':
      return {
        weights: groupedSoftmaxRow(
          scores,
          context.keyIndices ?? scores.map((_, j) => j),
          context.queryPosition ?? context.keys - 1,
          normalizer.blockSize,
        ),
        logSumExp: -Infinity,
      };
    case 'nap': {
      const gain = compileExpr(normalizer.gain)(context.env);
      const bias = compileExpr(normalizer.bias)(context.env);
      return { weights: napRow(scores, gain, bias, normalizer.epsilon), logSumExp: -Infinity };
    }
  }
}

/** NAP: g·(s − μ)/σ + b over the kept scores, σ the population standard deviation plus ε. */
function napRow(scores: readonly number[], gain: number, bias: number, epsilon: number): number[] {
  const count = scores.length;
  if (count === 0) return [];
  const mean = scores.reduce((sum, s) => sum + s, 0) / count;
  const deviation = Math.sqrt(scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / count) + epsilon;
  return scores.map((s) => (gain * (s - mean)) / deviation + bias);
}

function softmaxRow(scores: readonly number[], sink: number | undefined): RowWeights {
  // No kept key: −∞ also with a sink (the sink alone is no log-sum-exp of the row's keys).
  if (scores.length === 0) return { weights: [], logSumExp: -Infinity };
  const max = Math.max(...scores, sink ?? -Infinity);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((sum, x) => sum + x, 0) + (sink === undefined ? 0 : Math.exp(sink - max));
  return { weights: exps.map((x) => x / total), logSumExp: max + Math.log(total) };
}

/** α-entmax of one row: exact (sort) for α = 2, bisection on τ in float64 otherwise. */
function entmaxRow(scores: readonly number[], alpha: number): number[] {
  const n = scores.length;
  if (n === 0) return [];
  const x = scores.map((s) => (alpha - 1) * s);
  const power = 1 / (alpha - 1);
  const max = Math.max(...x);
  let tau: number;
  if (alpha === 2) {
    tau = sparsemaxThreshold(x);
  } else {
    let low = max - 1;
    let high = max - (1 / n) ** (alpha - 1);
    for (let iteration = 0; iteration < 200 && high - low > 0; iteration++) {
      const middle = (low + high) / 2;
      if (middle === low || middle === high) break;
      const mass = x.reduce((sum, value) => sum + Math.max(value - middle, 0) ** power, 0);
      if (mass >= 1) low = middle;
      else high = middle;
    }
    tau = (low + high) / 2;
  }
  const p = x.map((value) => Math.max(value - tau, 0) ** power);
  const total = p.reduce((sum, value) => sum + value, 0);
  return p.map((value) => value / total);
}

/** τ of sparsemax (Martins & Astudillo, Algorithm 1): sort, find the support size, average. */
function sparsemaxThreshold(x: readonly number[]): number {
  const sorted = [...x].sort((a, b) => b - a);
  let cumulative = 0;
  let support = 0;
  let supportSum = 0;
  sorted.forEach((value, index) => {
    cumulative += value;
    if (1 + (index + 1) * value > cumulative) {
      support = index + 1;
      supportSum = cumulative;
    }
  });
  return (supportSum - 1) / support;
}

/** Value rows of a context that gives none: reading one is a bug in the caller. */
const noValues: PLaplacianValues = {
  valueDim: 0,
  at: () => {
    throw new Error('rowWeights: the p-Laplacian normalizer needs the value rows in its context');
  },
};
