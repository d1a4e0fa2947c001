// Dense float64 formulas of linear attention written from the papers, independently of the op's
// reference (which uses the quadratic masked form): the recurrent/associative forms below.
//
// Katharopoulos et al. 2020, "Transformers are RNNs" (linear transformer), eq. 5–6 (non-causal):
//   V'_i = φ(Q_i)ᵀ (Σ_j φ(K_j) V_jᵀ) / (φ(Q_i)ᵀ Σ_j φ(K_j)),
// eq. 18–20 (causal, as an RNN): S_i = S_{i−1} + φ(K_i) V_iᵀ, Z_i = Z_{i−1} + φ(K_i),
//   V'_i = φ(Q_i)ᵀ S_i / (φ(Q_i)ᵀ Z_i), with ε added to the denominator as in its code (1e-6).
// RetNet (Sun et al. 2023) recurrent retention, eq. 6: S_n = γ S_{n−1} + K_nᵀ V_n, o_n = Q_n S_n;
// Lightning attention (catalog paper 63) decode: kv ← λ kv + kᵀv, o = q kv.
// RetNet parallel retention, eq. 5: O = (Q Kᵀ ⊙ D) V, D_nm = γ^(n−m) for n ≥ m, else 0.

/** Sizes of a `[B, H, N, d]` problem. */
export interface LinearSizes {
  readonly batch: number;
  readonly heads: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** The feature maps, written out again. */
export const PHI: Readonly<Record<'elu1' | 'relu' | 'identity', (x: number) => number>> = {
  elu1: (x) => (x > 0 ? x + 1 : Math.exp(x)),
  relu: (x) => Math.max(x, 0),
  identity: (x) => x,
};

/** Options of {@link denseLinearAttention}. */
export interface DenseLinearOptions {
  readonly phi: (x: number) => number;
  /** γ per head (1 without decay). */
  readonly gamma: readonly number[];
  /** ε, or `null` for no denominator (numerator only). */
  readonly epsilon: number | null;
  readonly causal: boolean;
  /** Starting state S₀ `[B, H, dk, dv]` and z₀ `[B, H, dk]` (causal only). */
  readonly state?: { readonly values: ArrayLike<number>; readonly keys?: ArrayLike<number> };
}

/** The outputs and the state after the last position (S, z) of the recurrent form. */
export interface DenseLinearResult {
  readonly output: Float64Array;
  readonly state: Float64Array;
  readonly keyState: Float64Array;
}

/** Linear attention in its recurrent (causal) or associative (non-causal) form. */
export function denseLinearAttention(
  sizes: LinearSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: DenseLinearOptions,
): DenseLinearResult {
  const { batch, heads, queries, keys, headDim: dk, valueDim: dv } = sizes;
  const output = new Float64Array(batch * heads * queries * dv);
  const state = new Float64Array(batch * heads * dk * dv);
  const keyState = new Float64Array(batch * heads * dk);
  for (let bh = 0; bh < batch * heads; bh++) {
    const gamma = options.gamma[bh % heads]!;
    const S = Array.from({ length: dk }, (_, a) =>
      Array.from({ length: dv }, (_, c) => options.state?.values[(bh * dk + a) * dv + c] ?? 0),
    );
    const z = Array.from({ length: dk }, (_, a) => options.state?.keys?.[bh * dk + a] ?? 0);
    const absorb = (j: number) => {
      for (let a = 0; a < dk; a++) {
        const feature = options.phi(k[(bh * keys + j) * dk + a]!);
        z[a] = gamma * z[a]! + feature;
        for (let c = 0; c < dv; c++) S[a]![c] = gamma * S[a]![c]! + feature * v[(bh * keys + j) * dv + c]!;
      }
    };
    const read = (i: number) => {
      const phiQ = Array.from({ length: dk }, (_, a) => options.phi(q[(bh * queries + i) * dk + a]!));
      let denominator = 0;
      for (let a = 0; a < dk; a++) denominator += phiQ[a]! * z[a]!;
      for (let c = 0; c < dv; c++) {
        let numerator = 0;
        for (let a = 0; a < dk; a++) numerator += phiQ[a]! * S[a]![c]!;
        output[(bh * queries + i) * dv + c] =
          options.epsilon === null ? numerator : numerator / (denominator + options.epsilon);
      }
    };
    if (options.causal) {
      for (let i = 0; i < queries; i++) {
        absorb(i);
        read(i);
      }
    } else {
      for (let j = 0; j < keys; j++) absorb(j);
      for (let i = 0; i < queries; i++) read(i);
    }
    for (let a = 0; a < dk; a++) {
      keyState[bh * dk + a] = z[a]!;
      for (let c = 0; c < dv; c++) state[(bh * dk + a) * dv + c] = S[a]![c]!;
    }
  }
  return { output, state, keyState };
}

/** RetNet's parallel retention O = (QKᵀ ⊙ D) V (φ = identity, no denominator). */
export function denseParallelRetention(
  sizes: LinearSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  gamma: readonly number[],
): Float64Array {
  const { batch, heads, queries: n, headDim: dk, valueDim: dv } = sizes;
  const output = new Float64Array(batch * heads * n * dv);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let score = 0;
        for (let a = 0; a < dk; a++) score += q[(bh * n + i) * dk + a]! * k[(bh * n + j) * dk + a]!;
        const weight = score * gamma[bh % heads]! ** (i - j);
        for (let c = 0; c < dv; c++) output[(bh * n + i) * dv + c]! += weight * v[(bh * n + j) * dv + c]!;
      }
    }
  }
  return output;
}
