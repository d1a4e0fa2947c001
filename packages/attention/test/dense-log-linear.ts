// Log-linear attention (Guo et al. 2025, catalog paper 109; fla `naive_log_linear_attn`,
// `construct_H_matrix`) in float64, written from the paper's matrix form, independently of the op:
// O = (QKᵀ ⊙ H) V, H = A ⊙ Σ_ℓ M^ℓ, A_ts = exp(Σ_{r=s+1}^{t} a_r) (s ≤ t, else 0),
// M^0 = diag(λ_t^(0)), and for ℓ ≥ 1 M^ℓ_ts = λ_t^(ℓ) iff t mod 2^ℓ ≥ 2^(ℓ−1) and
// t − (t mod 2^(ℓ−1)) − 2^(ℓ−1) ≤ s < t − (t mod 2^(ℓ−1)).

/** Sizes of q, k `[B, H, N, D]`, v `[B, H, N, E]`, λ `[B, H, N, L]` and a `[B, H, N]`. */
export interface LogLinearSizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly D: number;
  readonly E: number;
  readonly L: number;
}

/** The paper's level mask M^ℓ_ts without λ: 1 when key s is in query t's level-ℓ bucket. */
export function inLevel(level: number, t: number, s: number): boolean {
  if (level === 0) return s === t;
  const half = 2 ** (level - 1);
  const base = t - (t % half);
  return t % (2 * half) >= half && base - half <= s && s < base;
}

/** O `[B, H, N, E]`; `a` omitted is plain linear attention (A = 1 on s ≤ t). */
export function denseLogLinear(
  { B, H, N, D, E, L }: LogLinearSizes,
  values: {
    readonly q: ArrayLike<number>;
    readonly k: ArrayLike<number>;
    readonly v: ArrayLike<number>;
    readonly lambda: ArrayLike<number>;
    readonly a?: ArrayLike<number>;
  },
): Float64Array {
  const { q, k, v, lambda, a } = values;
  const out = new Float64Array(B * H * N * E);
  for (let bh = 0; bh < B * H; bh++)
    for (let t = 0; t < N; t++)
      for (let s = 0; s <= t; s++) {
        let decay = 0;
        for (let r = s + 1; r <= t; r++) decay += a === undefined ? 0 : a[bh * N + r]!;
        let mask = 0;
        for (let level = 0; level < L; level++)
          if (inLevel(level, t, s)) mask += lambda[(bh * N + t) * L + level]!;
        let score = 0;
        for (let d = 0; d < D; d++) score += q[(bh * N + t) * D + d]! * k[(bh * N + s) * D + d]!;
        const weight = score * Math.exp(decay) * mask;
        for (let e = 0; e < E; e++) out[(bh * N + t) * E + e]! += weight * v[(bh * N + s) * E + e]!;
      }
  return out;
}
