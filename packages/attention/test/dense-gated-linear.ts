// Gated linear attention in float64, written from the papers, independently of the op's reference
// (which uses cumulative log-gates in a quadratic form): the recurrence itself, one position at a
// time. ReGLA (Lu et al. 2025, catalog paper 22), also GLA's form:
//   S_t = Diag(F_t) S_{t−1} + φ_k(k_t)ᵀ v_t,  o_t = φ_q(q_t) S_t
// (with a denominator, z_t = Diag(F_t) z_{t−1} + φ_k(k_t) and o_t / (φ_q(q_t)·z_t + ε)), and the
// refined gate g = σ(W_g x + b_g), r = σ(W_r x + b_r), F = (1 − r) ⊙ g² + r ⊙ (1 − (1 − g)²).

import type { ExpSizes } from './dense-exp-features.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** ReGLA's refined gate F from the two pre-activations, elementwise. */
export function denseReglaGate(gateLogits: ArrayLike<number>, refineLogits: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: gateLogits.length }, (_, at) => {
    const g = sigmoid(gateLogits[at]!);
    const r = sigmoid(refineLogits[at]!);
    return (1 - r) * g * g + r * (1 - (1 - g) * (1 - g));
  });
}

/** The outputs and final states of {@link denseGatedLinear}. */
export interface DenseGatedResult {
  readonly output: Float64Array;
  readonly state: Float64Array;
  readonly keyState: Float64Array;
}

/**
 * The gated recurrence over given features φ(q), φ(k) `[B, H, N, d]` and gates F `[B, H, N, d]`,
 * from S₀, z₀ (zeros when not given).
 */
export function denseGatedLinear(
  sizes: ExpSizes,
  phiQ: ArrayLike<number>,
  phiK: ArrayLike<number>,
  v: ArrayLike<number>,
  gate: ArrayLike<number>,
  options: {
    readonly epsilon: number | null;
    readonly state?: { readonly values: ArrayLike<number>; readonly keys?: ArrayLike<number> };
  },
): DenseGatedResult {
  const { batch, heads, length: n, headDim: dk, valueDim: dv } = sizes;
  const output = new Float64Array(batch * heads * n * dv);
  const state = new Float64Array(batch * heads * dk * dv);
  const keyState = new Float64Array(batch * heads * dk);
  for (let bh = 0; bh < batch * heads; bh++) {
    const S = Array.from({ length: dk }, (_, a) =>
      Array.from({ length: dv }, (_, c) => options.state?.values[(bh * dk + a) * dv + c] ?? 0),
    );
    const z = Array.from({ length: dk }, (_, a) => options.state?.keys?.[bh * dk + a] ?? 0);
    for (let t = 0; t < n; t++) {
      const row = bh * n + t;
      for (let a = 0; a < dk; a++) {
        const f = gate[row * dk + a]!;
        const feature = phiK[row * dk + a]!;
        z[a] = f * z[a]! + feature;
        for (let c = 0; c < dv; c++) S[a]![c] = f * S[a]![c]! + feature * v[row * dv + c]!;
      }
      let denominator = 0;
      for (let a = 0; a < dk; a++) denominator += phiQ[row * dk + a]! * z[a]!;
      for (let c = 0; c < dv; c++) {
        let numerator = 0;
        for (let a = 0; a < dk; a++) numerator += phiQ[row * dk + a]! * S[a]![c]!;
        output[row * dv + c] =
          options.epsilon === null ? numerator : numerator / (denominator + options.epsilon);
      }
    }
    for (let a = 0; a < dk; a++) {
      keyState[bh * dk + a] = z[a]!;
      for (let c = 0; c < dv; c++) state[(bh * dk + a) * dv + c] = S[a]![c]!;
    }
  }
  return { output, state, keyState };
}
