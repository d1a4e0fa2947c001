// Mega's moving-average gated attention block (Ma et al. 2023, catalog paper 70; fairseq
// `MovingAverageGatedAttention`, causal, pre-norm) in float64 loops written from the paper,
// independent of Weft's graph, interpreter and the attention package's ops: the EMA as its
// recurrence h_t = q ⊙ h_{t−1} + p β x'_t, then the gates, the single head with its relative bias,
// and the gated residual.

import { matmulRows, type NamedParameters, parameterLookup } from './float64-loops.js';

/** Sizes of {@link megaLayerFloat64}. */
export interface MegaLayerSizes {
  readonly width: number;
  readonly zDim: number;
  readonly hDim: number;
  readonly components: number;
  /** P of the relative-position table `[2P − 1]`. */
  readonly maxPositions: number;
  readonly attentionFunction: 'softmax' | 'laplace' | 'relu2';
  /** fairseq's chunked attention: the keys of the query's chunk of this many positions only. */
  readonly attentionChunk?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const silu = (x: number) => x * sigmoid(x);

/** erf to ~1e-15: its Maclaurin series below 3, the continued fraction of erfc above. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let total = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const next = term / (2 * n + 1);
      total += next;
      if (Math.abs(next) < 1e-17 * Math.abs(total)) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * total);
  }
  let fraction = 0;
  for (let n = 60; n >= 1; n--) fraction = n / 2 / (a + fraction);
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + fraction));
}

/** fairseq's laplace: ½[1 + erf((x − μ)/(σ√2))], μ = √½, σ = √(1/4π). */
const laplace = (x: number) =>
  0.5 * (1 + erf((x - Math.sqrt(0.5)) / (Math.sqrt(1 / (4 * Math.PI)) * Math.SQRT2)));

/**
 * The causal block over the stream `x [L, D]` (row-major) with parameters `${name}.*` (the names of
 * `megaBlock`): x' = LayerNorm(x) (ε 1e-5); v = SiLU(x' W_v + b_v); per channel d and component n,
 * p = σ(δ), q = 1 − p σ(α), h_t = q h_{t−1} + p β x'_t, m = SiLU(Σ_n γ h_t / √N + ω x'_t);
 * [u, z, r, ĥ] = m W_mx + b_mx, u = σ(u), z, r = SiLU; q_i = z γ₀ + β₀, k_j = z γ₁ + β₁;
 * A_ij (j ≤ i) = softmax_j(q_i·k_j/√zDim + b[j − i + P − 1]), or f(q_i·k_j/(i + 1) + b) for
 * laplace / relu² (with `attentionChunk` c: only j of i's chunk, n = i − its start + 1); H = SiLU(ĥ + ((A v) ⊙ r) W_h + b_h); y = x + u ⊙ (H − x).
 */
export function megaLayerFloat64(
  params: NamedParameters,
  name: string,
  x: Float64Array,
  sizes: MegaLayerSizes,
): Float64Array {
  const { width: D, zDim, hDim, components: N, maxPositions: P, attentionFunction: fn } = sizes;
  const L = x.length / D;
  const at = parameterLookup(params, 'Mega layer');
  const p = (suffix: string) => at(`${name}.${suffix}`);
  const normed = new Float64Array(L * D);
  for (let t = 0; t < L; t++) {
    let mean = 0;
    for (let c = 0; c < D; c++) mean += x[t * D + c]! / D;
    let variance = 0;
    for (let c = 0; c < D; c++) variance += (x[t * D + c]! - mean) ** 2 / D;
    for (let c = 0; c < D; c++)
      normed[t * D + c] =
        ((x[t * D + c]! - mean) / Math.sqrt(variance + 1e-5)) * p('norm.gamma')[c]! + p('norm.beta')[c]!;
  }
  const v = matmulRows(normed, L, p('v.weight'), D, hDim, p('v.bias')).map(silu);
  // The EMA recurrence, channel by channel.
  const m = new Float64Array(L * D);
  for (let d = 0; d < D; d++) {
    const h = new Float64Array(N);
    for (let t = 0; t < L; t++) {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const gain = sigmoid(p('ema.delta')[d * N + n]!);
        const damping = 1 - gain * sigmoid(p('ema.alpha')[d * N + n]!);
        h[n] = damping * h[n]! + gain * p('ema.beta')[d * N + n]! * normed[t * D + d]!;
        sum += (p('ema.gamma')[d * N + n]! * h[n]!) / Math.sqrt(N);
      }
      m[t * D + d] = silu(sum + p('ema.omega')[d]! * normed[t * D + d]!);
    }
  }
  const columns = 2 * D + zDim + hDim;
  const base = matmulRows(m, L, p('mx.weight'), D, columns, p('mx.bias'));
  const col = (t: number, c: number) => base[t * columns + c]!;
  const z = (t: number, c: number) => silu(col(t, D + c));
  const query = (t: number, c: number) => z(t, c) * p('qk.gamma')[c]! + p('qk.beta')[c]!;
  const key = (t: number, c: number) => z(t, c) * p('qk.gamma')[zDim + c]! + p('qk.beta')[zDim + c]!;
  const gated = new Float64Array(L * hDim);
  const chunk = sizes.attentionChunk ?? L;
  for (let i = 0; i < L; i++) {
    // The keys of the query's chunk, causal inside: first..i.
    const first = Math.floor(i / chunk) * chunk;
    const weights: number[] = [];
    for (let j = first; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < zDim; c++) dot += query(i, c) * key(j, c);
      const bias = p('relPosBias')[j - i + P - 1]!;
      if (fn === 'softmax') weights.push(dot / Math.sqrt(zDim) + bias);
      else {
        const s = dot / (i - first + 1) + bias;
        weights.push(fn === 'laplace' ? laplace(s) : Math.max(s, 0) ** 2);
      }
    }
    if (fn === 'softmax') {
      const max = Math.max(...weights);
      const exps = weights.map((w) => Math.exp(w - max));
      const total = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => {
        weights[j] = e / total;
      });
    }
    for (let c = 0; c < hDim; c++) {
      let sum = 0;
      for (let j = first; j <= i; j++) sum += weights[j - first]! * v[j * hDim + c]!;
      gated[i * hDim + c] = sum * silu(col(i, D + zDim + c));
    }
  }
  const projected = matmulRows(gated, L, p('h.weight'), hDim, D, p('h.bias'));
  const y = new Float64Array(L * D);
  for (let t = 0; t < L; t++)
    for (let c = 0; c < D; c++) {
      const hidden = silu(col(t, D + zDim + hDim + c) + projected[t * D + c]!);
      const update = sigmoid(col(t, c));
      y[t * D + c] = x[t * D + c]! + update * (hidden - x[t * D + c]!);
    }
  return y;
}
