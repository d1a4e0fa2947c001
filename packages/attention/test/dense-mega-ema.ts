// Mega's damped EMA (Ma et al. 2023, catalog paper 70; fairseq `MultiHeadEMA`, unidirectional) in
// float64, written from the paper's convolution form, independently of the op: per channel d the
// kernel k_d[t] = Σ_n p_dn β_dn q_dn^t γ_dn / √N (p = σ(δ), q = 1 − p σ(α)), then
// y_t,d = SiLU(Σ_{j≤t} k_d[t − j] x_j,d + ω_d x_t,d). Bidirectional (fairseq's two-sided kernel,
// the backward kernel k'_d from rows D..2D−1 of the parameters):
// y_t,d = SiLU(Σ_{j≤t} k_d[t − j] x_j,d + Σ_{j≥t} k'_d[j − t] x_j,d + ω_d x_t,d).

/** Mega's EMA parameters, row-major: δ, α, β, γ `[D, N]` (`[2D, N]` bidirectional), ω `[D]`. */
export interface MegaEmaParams {
  readonly delta: ArrayLike<number>;
  readonly alpha: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly gamma: ArrayLike<number>;
  readonly omega: ArrayLike<number>;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** y `[B, L, D]` for x `[B, L, D]` with N components per channel. */
export function denseMegaEma(
  {
    batch,
    length,
    channels,
    components,
    bidirectional = false,
  }: { batch: number; length: number; channels: number; components: number; bidirectional?: boolean },
  x: ArrayLike<number>,
  params: MegaEmaParams,
): Float64Array {
  const rows = bidirectional ? 2 * channels : channels;
  const kernel = new Float64Array(rows * length);
  for (let d = 0; d < rows; d++)
    for (let n = 0; n < components; n++) {
      const at = d * components + n;
      const p = sigmoid(params.delta[at]!);
      const q = 1 - p * sigmoid(params.alpha[at]!);
      for (let t = 0; t < length; t++)
        kernel[d * length + t]! +=
          (p * params.beta[at]! * q ** t * params.gamma[at]!) / Math.sqrt(components);
    }
  const out = new Float64Array(batch * length * channels);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < length; t++)
      for (let d = 0; d < channels; d++) {
        let y = params.omega[d]! * x[(b * length + t) * channels + d]!;
        for (let j = 0; j <= t; j++) y += kernel[d * length + t - j]! * x[(b * length + j) * channels + d]!;
        if (bidirectional)
          for (let j = t; j < length; j++)
            y += kernel[(channels + d) * length + j - t]! * x[(b * length + j) * channels + d]!;
        out[(b * length + t) * channels + d] = y * sigmoid(y);
      }
  return out;
}
