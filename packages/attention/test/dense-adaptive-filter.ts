import type { Values } from './dense-matrix.js';

/** Sizes of the AFA instance: `[1, heads, length, dim]` features, dim/2 complex pairs per row. */
export interface DenseAfaSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
}

interface Complex {
  readonly re: number;
  readonly im: number;
}

const times = (a: Complex, b: Complex): Complex => ({
  re: a.re * b.re - a.im * b.im,
  im: a.re * b.im + a.im * b.re,
});
const polar = (radius: number, angle: number): Complex => ({
  re: radius * Math.cos(angle),
  im: radius * Math.sin(angle),
});
const softplus = (x: number) => Math.log1p(Math.exp(x));

/**
 * Attention as an Adaptive Filter (catalog paper 20), isotropic, robust score with the DLE bias,
 * written from the paper in float64 with complex numbers, independent of the op: per head, with
 * positive scalars softplus(raw) and eigenvalues λ_m = −μ + iω_m, t_i = i and Δ = t_i − t_j ≥ 0,
 * Q̃_i = e^{−iωt_i} q_i, K̃_j = e^{−iωt_j} k_j (features [real half | imaginary half]),
 * |R_ij|² = Σ_m |Q̃_im − E_ij K̃_jm|² (the residual itself, not its expansion), E = e^{−μΔ},
 * V = σ²(1 − e^{−2μΔ})/(2μ) + η²e^{−2μΔ} + γ² (σ²Δ + η² + γ² for μ < 1e-6), S = ν d V, s = τ²(−log V − log(1 + |R|²/S)),
 * A = causal softmax; `output` = A V and `pulledForward` = Σ_j a_ij e^{λΔ} v_j (each pair's value
 * propagated to the query time).
 */
export function denseAdaptiveFilter(
  values: Values,
  sizes: DenseAfaSizes,
  name: string,
): { output: Float64Array; pulledForward: Float64Array } {
  const { heads, length, dim } = sizes;
  const half = dim / 2;
  const scalar = (key: string, h: number) => softplus(Number(values[`${name}.${key}`]![h]));
  const complexRow = (tensor: string, h: number, i: number): Complex[] =>
    Array.from({ length: half }, (_, m) => {
      const start = (h * length + i) * dim;
      return { re: Number(values[tensor]![start + m]), im: Number(values[tensor]![start + half + m]) };
    });
  const output = new Float64Array(heads * length * dim);
  const pulledForward = new Float64Array(heads * length * dim);
  for (let h = 0; h < heads; h++) {
    const [mu, sigma2, eta2, gamma2, nu, tau] = ['mu', 'sigma2', 'eta2', 'gamma2', 'nu', 'tau'].map((key) =>
      scalar(key, h),
    ) as [number, number, number, number, number, number];
    const omega = Array.from({ length: half }, (_, m) => Number(values[`${name}.omega`]![h * half + m]));
    const rotated = (tensor: string, i: number) =>
      complexRow(tensor, h, i).map((z, m) => times(polar(1, -omega[m]! * i), z));
    for (let i = 0; i < length; i++) {
      const query = rotated('q', i);
      const scores: number[] = [];
      for (let j = 0; j <= i; j++) {
        const key = rotated('k', j);
        const delta = i - j;
        const decay = Math.exp(-mu * delta);
        const residual = query.reduce(
          (total, z, m) => total + (z.re - decay * key[m]!.re) ** 2 + (z.im - decay * key[m]!.im) ** 2,
          0,
        );
        // The paper's μ → 0 limit σ²Δ below μ = 1e-6 (where 1 − e^{−2μΔ} loses its digits).
        const growth = mu < 1e-6 ? delta : (1 - Math.exp(-2 * mu * delta)) / (2 * mu);
        const variance = sigma2 * growth + eta2 * Math.exp(-2 * mu * delta) + gamma2;
        scores.push(tau * tau * (-Math.log(variance) - Math.log(1 + residual / (nu * dim * variance))));
      }
      const top = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - top));
      const total = weights.reduce((a, b) => a + b, 0);
      const row = (h * length + i) * dim;
      weights.forEach((weight, j) => {
        const a = weight / total;
        const value = complexRow('v', h, j);
        value.forEach((z, m) => {
          output[row + m]! += a * z.re;
          output[row + half + m]! += a * z.im;
          const propagated = times(polar(Math.exp(-mu * (i - j)), omega[m]! * (i - j)), z);
          pulledForward[row + m]! += a * propagated.re;
          pulledForward[row + half + m]! += a * propagated.im;
        });
      });
    }
  }
  return { output, pulledForward };
}
