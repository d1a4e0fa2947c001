// Efficient Attention (Shen et al. 2021, catalog paper 111) and Galerkin attention (Cao 2021,
// catalog paper 89) in float64, written from the papers, independently of the ops: each in its
// own associativity (the papers' cheap order), per batch and head.
//   Efficient: E = ρ_q(Q)(ρ_k(K)ᵀV), ρ_q softmax over a query's features, ρ_k softmax over positions.
//   Galerkin: z = Q(K̃ᵀṼ)/n, K̃ = LN_K(K), Ṽ = LN_V(V), LN per head over d with gain γ_h and bias β_h.

import type { ExpSizes } from './dense-exp-features.js';

/** Q(KᵀV) per (b, h) for given `[B, H, N, d]` rows (keys and values of one length). */
function associative(
  sizes: ExpSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const context = new Float64Array(d * e);
    for (let t = 0; t < n; t++)
      for (let a = 0; a < d; a++)
        for (let c = 0; c < e; c++)
          context[a * e + c]! += k[(bh * n + t) * d + a]! * v[(bh * n + t) * e + c]!;
    for (let t = 0; t < n; t++)
      for (let c = 0; c < e; c++) {
        let total = 0;
        for (let a = 0; a < d; a++) total += q[(bh * n + t) * d + a]! * context[a * e + c]!;
        out[(bh * n + t) * e + c] = total;
      }
  }
  return out;
}

/** Efficient Attention, softmax variant. */
export function denseEfficientAttention(
  sizes: ExpSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { batch, heads, length: n, headDim: d } = sizes;
  const rhoQ = new Float64Array(q.length);
  const rhoK = new Float64Array(k.length);
  for (let row = 0; row < batch * heads * n; row++) {
    let total = 0;
    for (let a = 0; a < d; a++) total += Math.exp(q[row * d + a]!);
    for (let a = 0; a < d; a++) rhoQ[row * d + a] = Math.exp(q[row * d + a]!) / total;
  }
  for (let bh = 0; bh < batch * heads; bh++)
    for (let a = 0; a < d; a++) {
      let total = 0;
      for (let t = 0; t < n; t++) total += Math.exp(k[(bh * n + t) * d + a]!);
      for (let t = 0; t < n; t++) rhoK[(bh * n + t) * d + a] = Math.exp(k[(bh * n + t) * d + a]!) / total;
    }
  return associative(sizes, rhoQ, rhoK, v);
}

/** A per-head LayerNorm over the last axis (ε 1e-5), gain and bias `[H, d]`. */
function perHeadLayerNorm(
  x: ArrayLike<number>,
  rows: number,
  heads: number,
  perHead: number,
  d: number,
  gain: ArrayLike<number>,
  bias: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let row = 0; row < rows; row++) {
    const h = Math.floor(row / perHead) % heads;
    let mean = 0;
    for (let a = 0; a < d; a++) mean += x[row * d + a]! / d;
    let variance = 0;
    for (let a = 0; a < d; a++) variance += (x[row * d + a]! - mean) ** 2 / d;
    for (let a = 0; a < d; a++)
      out[row * d + a] =
        ((x[row * d + a]! - mean) / Math.sqrt(variance + 1e-5)) * gain[h * d + a]! + bias[h * d + a]!;
  }
  return out;
}

/** Galerkin attention with the four LayerNorm parameters `[H, d]`. */
export function denseGalerkinAttention(
  sizes: ExpSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  norms: {
    keyGain: ArrayLike<number>;
    keyBias: ArrayLike<number>;
    valueGain: ArrayLike<number>;
    valueBias: ArrayLike<number>;
  },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const rows = batch * heads * n;
  const kTilde = perHeadLayerNorm(k, rows, heads, n, d, norms.keyGain, norms.keyBias);
  const vTilde = perHeadLayerNorm(v, rows, heads, n, e, norms.valueGain, norms.valueBias);
  return associative(sizes, q, kTilde, vTilde).map((x) => x / n);
}

/**
 * Aaren (Feng et al. 2024, catalog paper 100) by its parallel prefix scan: leaves (m, u, w) =
 * (s_i, 1, v_i), s_i = q·k_i, combined left to right by
 * (m_a, u_a, w_a) ⊕ (m_b, u_b, w_b) = (m, u_a e^(m_a−m) + u_b e^(m_b−m), w_a e^(m_a−m) + w_b e^(m_b−m)),
 * m = max(m_a, m_b); o_t = w_t / u_t. `query` is the learned token `[H, d]`.
 */
export function denseAaren(
  sizes: ExpSizes,
  query: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const h = bh % heads;
    let m = -Infinity;
    let u = 0;
    let w = new Float64Array(e);
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += query[h * d + a]! * k[(bh * n + t) * d + a]!;
      const next = Math.max(m, s);
      const [left, right] = [Math.exp(m - next), Math.exp(s - next)];
      u = u * left + right;
      w = w.map((x, c) => x * left + v[(bh * n + t) * e + c]! * right);
      m = next;
      for (let c = 0; c < e; c++) out[(bh * n + t) * e + c] = w[c]! / u;
    }
  }
  return out;
}
