// Gated DeltaNet (Yang, Kautz & Hatamizadeh 2025) and its log-linear instance (Guo et al. 2025,
// catalog paper 109) in float64, written from the recurrence step by step, independently of the
// ops' parallel forms (fla `naive_recurrent_gated_delta_rule`):
//   q ← scale · q / ‖q‖, k ← k / ‖k‖ (‖x‖ = √(Σ x² + 1e-6), scale = d_k^(−1/2)),
//   S_t = α_t S_{t−1} (I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ (S `[d_v, d_k]`, α_t = exp(g_t)), o_t = S_t q_t.
// Log-linear: position s's write β_s v_s k_sᵀ, carried by the transitions of s+1 … t, reaches query t
// weighted by λ_t^(ℓ(t,s)) (the paper's level mask of s for t; `hattention`'s `chunk_fwd_kernel_o_intra`).
import { inLevel } from './dense-log-linear.js';

/** Sizes of q, k `[B, H, N, D]`, v `[B, H, N, E]`, β and g `[B, H, N]`, λ `[B, H, N, L]`. */
export interface DeltaSizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly D: number;
  readonly E: number;
}

/** Operands of the dense formulas (`g` omitted: α = 1, DeltaNet). */
export interface DeltaValues {
  readonly q: ArrayLike<number>;
  readonly k: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly g?: ArrayLike<number>;
}

function readRow(x: ArrayLike<number>, row: number, width: number, scale: number): number[] {
  const out = Array.from({ length: width }, (_, d) => x[row * width + d]!);
  const norm = Math.sqrt(out.reduce((total, value) => total + value * value, 0) + 1e-6);
  return out.map((value) => (value / norm) * scale);
}

/** O `[B, H, N, E]` by stepping the state S_t through every position. */
export function denseGatedDeltaNet({ B, H, N, D, E }: DeltaSizes, values: DeltaValues): Float64Array {
  const { q, k, v, beta, g } = values;
  const out = new Float64Array(B * H * N * E);
  for (let bh = 0; bh < B * H; bh++) {
    let S = Array.from({ length: E }, () => new Array<number>(D).fill(0));
    for (let t = 0; t < N; t++) {
      const row = bh * N + t;
      const kt = readRow(k, row, D, 1);
      const qt = readRow(q, row, D, 1 / Math.sqrt(D));
      const alpha = g === undefined ? 1 : Math.exp(g[row]!);
      const b = beta[row]!;
      // S (I − β k kᵀ): each row minus β (row·k) kᵀ; then α; then + β v kᵀ.
      S = S.map((sRow, e) => {
        const dot = sRow.reduce((total, value, d) => total + value * kt[d]!, 0);
        return sRow.map((value, d) => alpha * (value - b * dot * kt[d]!) + b * v[row * E + e]! * kt[d]!);
      });
      for (let e = 0; e < E; e++)
        out[row * E + e] = S[e]!.reduce((total, value, d) => total + value * qt[d]!, 0);
    }
  }
  return out;
}

/**
 * O `[B, H, N, E]` of log-linear Gated DeltaNet: for each write position s, the row k_sᵀ carried
 * through w ← α_r (w − β_r (w·k_r) k_rᵀ) for r = s+1 … t gives P_ts = β_s (w·q_t); o_t = Σ_s λ_t^(ℓ(t,s)) P_ts v_s.
 */
export function denseLogLinearGatedDeltaNet(
  sizes: DeltaSizes & { readonly L: number },
  values: DeltaValues & { readonly lambda: ArrayLike<number> },
): Float64Array {
  const { B, H, N, D, E, L } = sizes;
  const { q, k, v, beta, g, lambda } = values;
  const out = new Float64Array(B * H * N * E);
  for (let bh = 0; bh < B * H; bh++)
    for (let s = 0; s < N; s++) {
      let w = readRow(k, bh * N + s, D, 1);
      for (let t = s; t < N; t++) {
        const row = bh * N + t;
        if (t > s) {
          const kt = readRow(k, row, D, 1);
          const alpha = g === undefined ? 1 : Math.exp(g[row]!);
          const dot = w.reduce((total, value, d) => total + value * kt[d]!, 0);
          w = w.map((value, d) => alpha * (value - beta[row]! * dot * kt[d]!));
        }
        const qt = readRow(q, row, D, 1 / Math.sqrt(D));
        let weight = 0;
        for (let level = 0; level < L; level++) if (inLevel(level, t, s)) weight += lambda[row * L + level]!;
        const transfer = beta[bh * N + s]! * w.reduce((total, value, d) => total + value * qt[d]!, 0);
        for (let e = 0; e < E; e++) out[row * E + e]! += weight * transfer * v[(bh * N + s) * E + e]!;
      }
    }
  return out;
}
