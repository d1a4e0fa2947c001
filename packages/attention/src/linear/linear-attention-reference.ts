import type { Tensor64 } from '@weft/ir';
import {
  GATE_FLOOR,
  type LinearAttentionAttrs,
  type LinearStateAttrs,
  stateOperandIndex,
} from './linear-attention-attrs.js';

/**
 * Cumulative log-gates B[bh, t, d] = Σ_{u≤t} log max(g_u,d, floor) of a gate `[B, H, T, d_k]`, so that
 * the product g_{j+1} ⋯ g_i of dimension d is e^(B_i − B_j); all zeros without a gate.
 */
function cumulativeLogGates(
  gate: Tensor64 | undefined,
  rows: number,
  length: number,
  dk: number,
): Float64Array {
  const out = new Float64Array(rows * length * dk);
  if (gate === undefined) return out;
  for (let bh = 0; bh < rows; bh++)
    for (let d = 0; d < dk; d++) {
      let total = 0;
      for (let t = 0; t < length; t++) {
        const at = (bh * length + t) * dk + d;
        total += Math.log(Math.max(gate.data[at]!, GATE_FLOOR));
        out[at] = total;
      }
    }
  return out;
}

/**
 * The float64 definition of `linearAttention`, in its O(N²) masked form: for each (b, h) and
 * query i, with w_ij = γ_h^(i−j) φ(q_i)·φ(k_j) over the kept keys (j ≤ i when causal, every key
 * otherwise; γ = 1 without decay),
 * o_i = (Σ_j w_ij v_j + γ^(i+1) φ(q_i)ᵀ S₀) / (Σ_j w_ij + γ^(i+1) φ(q_i)·z₀ + ε),
 * the state terms only with a state and the denominator only with ε. With a gate, γ^(i−j) becomes
 * per key dimension d the product g_{j+1,d} ⋯ g_{i,d} inside the dot product, and γ^(i+1) the
 * product g_{0,d} ⋯ g_{i,d}.
 */
export function evaluateLinearAttention(inputs: readonly Tensor64[], attrs: LinearAttentionAttrs): Tensor64 {
  const [query, key, value] = inputs as [Tensor64, Tensor64, Tensor64];
  const first = stateOperandIndex(attrs);
  const state = attrs.withState ? inputs[first] : undefined;
  const keyState = attrs.withState && attrs.epsilon !== null ? inputs[first + 1] : undefined;
  const [batch, heads, queries, dk] = query.shape as [number, number, number, number];
  const keys = key.shape[2]!;
  const logGates = cumulativeLogGates(attrs.gated ? inputs[3] : undefined, batch * heads, keys, dk);
  const gateProduct = (bh: number, i: number, j: number, d: number) =>
    attrs.gated
      ? Math.exp(logGates[(bh * keys + i) * dk + d]! - (j < 0 ? 0 : logGates[(bh * keys + j) * dk + d]!))
      : 1;
  const dv = value.shape[3]!;
  const phi = attrs.featureMap.evaluate;
  const out = new Float64Array(batch * heads * queries * dv);
  const phiQ = new Float64Array(dk);
  for (let bh = 0; bh < batch * heads; bh++) {
    const gamma = attrs.decay === null ? 1 : attrs.decay[bh % heads]!;
    for (let i = 0; i < queries; i++) {
      for (let d = 0; d < dk; d++) phiQ[d] = phi(query.data[(bh * queries + i) * dk + d]!);
      const numerator = new Float64Array(dv);
      let denominator = 0;
      const last = attrs.causal ? Math.min(i, keys - 1) : keys - 1;
      for (let j = 0; j <= last; j++) {
        let w = 0;
        for (let d = 0; d < dk; d++)
          w += phiQ[d]! * phi(key.data[(bh * keys + j) * dk + d]!) * gateProduct(bh, i, j, d);
        w *= gamma ** (i - j);
        denominator += w;
        for (let e = 0; e < dv; e++) numerator[e]! += w * value.data[(bh * keys + j) * dv + e]!;
      }
      if (state !== undefined) {
        const carried = gamma ** (i + 1);
        for (let d = 0; d < dk; d++) {
          const q = carried * phiQ[d]! * gateProduct(bh, i, -1, d);
          for (let e = 0; e < dv; e++) numerator[e]! += q * state.data[(bh * dk + d) * dv + e]!;
          if (keyState !== undefined) denominator += q * keyState.data[bh * dk + d]!;
        }
      }
      const scale = attrs.epsilon === null ? 1 : 1 / (denominator + attrs.epsilon);
      for (let e = 0; e < dv; e++) out[(bh * queries + i) * dv + e] = numerator[e]! * scale;
    }
  }
  return { shape: [batch, heads, queries, dv], dtype: 'f32', data: out };
}

/**
 * The float64 definition of `linearAttention.state`: after T positions,
 * S = γ^T S₀ + Σ_t γ^(T−1−t) φ(k_t) v_tᵀ (`values`) or z = γ^T z₀ + Σ_t γ^(T−1−t) φ(k_t) (`keys`);
 * with a gate, row d of γ^m is the product of the last m gates of dimension d.
 */
export function evaluateLinearState(inputs: readonly Tensor64[], attrs: LinearStateAttrs): Tensor64 {
  const key = inputs[0]!;
  const value = attrs.part === 'values' ? inputs[1]! : undefined;
  const previous = attrs.withState ? inputs[inputs.length - 1] : undefined;
  const [batch, heads, length, dk] = key.shape as [number, number, number, number];
  const dv = value === undefined ? 1 : value.shape[3]!;
  const phi = attrs.featureMap.evaluate;
  const out = new Float64Array(batch * heads * dk * dv);
  const gate = attrs.gated ? inputs[attrs.part === 'values' ? 2 : 1] : undefined;
  const logGates = cumulativeLogGates(gate, batch * heads, length, dk);
  // Product of the gates of dimension d after position t (t = −1: all of them).
  const after = (bh: number, t: number, d: number) => {
    const end = logGates[(bh * length + length - 1) * dk + d] ?? 0;
    return Math.exp(end - (t < 0 ? 0 : logGates[(bh * length + t) * dk + d]!));
  };
  for (let bh = 0; bh < batch * heads; bh++) {
    const gamma = attrs.decay === null ? 1 : attrs.decay[bh % heads]!;
    for (let d = 0; d < dk; d++) {
      for (let e = 0; e < dv; e++) {
        const at = (bh * dk + d) * dv + e;
        let total = previous === undefined ? 0 : gamma ** length * after(bh, -1, d) * previous.data[at]!;
        for (let t = 0; t < length; t++) {
          const feature = phi(key.data[(bh * length + t) * dk + d]!);
          const v = value === undefined ? 1 : value.data[(bh * length + t) * dv + e]!;
          total += gamma ** (length - 1 - t) * after(bh, t, d) * feature * v;
        }
        out[at] = total;
      }
    }
  }
  return {
    shape: attrs.part === 'values' ? [batch, heads, dk, dv] : [batch, heads, dk],
    dtype: 'f32',
    data: out,
  };
}
