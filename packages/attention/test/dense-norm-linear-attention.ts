// TransNormerLLM's NormLinearAttention token mixer (catalog paper 19; HF remote code
// `modeling_transnormer.py`) in float64, written from the paper: [q, k, v, u] = x W_qkvu,
// O_h = Σ_{j≤i} λ_h^(i−j) Σ_m SiLU(q)_m SiLU(k)_m cos(θ_m (i−j)) v_j (denseTransnormerLrpe),
// y = (SRMSNorm(concat_h O) ⊙ u) W_out with SRMSNorm(x) = x/√(mean(x²) + 1e−6).
import { denseTransnormerLrpe } from './dense-linear-maps.js';

/** y `[B, L, H·d]` for x `[B, L, H·d]`; weights in x·W layout, θ `[H, d]`, per-head decays λ_h. */
export function denseNormLinearAttention(
  sizes: {
    readonly batch: number;
    readonly length: number;
    readonly heads: number;
    readonly headDim: number;
  },
  x: ArrayLike<number>,
  weights: {
    readonly qkvu: ArrayLike<number>;
    readonly out: ArrayLike<number>;
    readonly theta: ArrayLike<number>;
  },
  decay: readonly number[],
): Float64Array {
  const { batch, length: n, heads, headDim: d } = sizes;
  const width = heads * d;
  // The four projections, each rearranged to [B, H, L, d] (q, k, v) or kept [B, L, D] (u).
  const parts = [0, 1, 2, 3].map(() => new Float64Array(batch * n * width));
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < n; i++)
      for (let c = 0; c < 4 * width; c++) {
        let total = 0;
        for (let r = 0; r < width; r++)
          total += x[(b * n + i) * width + r]! * weights.qkvu[r * 4 * width + c]!;
        const part = Math.floor(c / width);
        const column = c % width;
        const h = Math.floor(column / d);
        const at = part === 3 ? (b * n + i) * width + column : ((b * heads + h) * n + i) * d + (column % d);
        parts[part]![at] = total;
      }
  const mixed = denseTransnormerLrpe(
    { batch, heads, length: n, headDim: d, valueDim: d },
    parts[0]!,
    parts[1]!,
    parts[2]!,
    weights.theta,
    decay,
  );
  const out = new Float64Array(batch * n * width);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < n; i++) {
      const merged = Array.from({ length: width }, (_, c) => {
        const h = Math.floor(c / d);
        return mixed[((b * heads + h) * n + i) * d + (c % d)]!;
      });
      const rms = Math.sqrt(merged.reduce((a, v) => a + v * v, 0) / width + 1e-6);
      const gated = merged.map((v, c) => (v / rms) * parts[3]![(b * n + i) * width + c]!);
      for (let c = 0; c < width; c++) {
        let total = 0;
        for (let r = 0; r < width; r++) total += gated[r]! * weights.out[r * width + c]!;
        out[(b * n + i) * width + c] = total;
      }
    }
  return out;
}
