import type { Tensor64 } from '@weft/ir';
import type { LinearAttentionAttrs, LinearStateAttrs } from './linear-attention-attrs.js';

/**
 * The float64 definition of `linearAttention`, in its O(N²) masked form: for each (b, h) and
 * query i, with w_ij = γ_h^(i−j) φ(q_i)·φ(k_j) over the kept keys (j ≤ i when causal, every key
 * otherwise; γ = 1 without decay),
 * o_i = (Σ_j w_ij v_j + γ^(i+1) φ(q_i)ᵀ S₀) / (Σ_j w_ij + γ^(i+1) φ(q_i)·z₀ + ε),
 * the state terms only with a state and the denominator only with ε.
 */
export function evaluateLinearAttention(inputs: readonly Tensor64[], attrs: LinearAttentionAttrs): Tensor64 {
  const [query, key, value] = inputs as [Tensor64, Tensor64, Tensor64];
  const state = attrs.withState ? inputs[3] : undefined;
  const keyState = attrs.withState && attrs.epsilon !== null ? inputs[4] : undefined;
  const [batch, heads, queries, dk] = query.shape as [number, number, number, number];
  const keys = key.shape[2]!;
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
        for (let d = 0; d < dk; d++) w += phiQ[d]! * phi(key.data[(bh * keys + j) * dk + d]!);
        w *= gamma ** (i - j);
        denominator += w;
        for (let e = 0; e < dv; e++) numerator[e]! += w * value.data[(bh * keys + j) * dv + e]!;
      }
      if (state !== undefined) {
        const carried = gamma ** (i + 1);
        for (let d = 0; d < dk; d++) {
          const q = carried * phiQ[d]!;
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
 * S = γ^T S₀ + Σ_t γ^(T−1−t) φ(k_t) v_tᵀ (`values`) or z = γ^T z₀ + Σ_t γ^(T−1−t) φ(k_t) (`keys`).
 */
export function evaluateLinearState(inputs: readonly Tensor64[], attrs: LinearStateAttrs): Tensor64 {
  const key = inputs[0]!;
  const value = attrs.part === 'values' ? inputs[1]! : undefined;
  const previous = attrs.withState ? inputs[inputs.length - 1] : undefined;
  const [batch, heads, length, dk] = key.shape as [number, number, number, number];
  const dv = value === undefined ? 1 : value.shape[3]!;
  const phi = attrs.featureMap.evaluate;
  const out = new Float64Array(batch * heads * dk * dv);
  for (let bh = 0; bh < batch * heads; bh++) {
    const gamma = attrs.decay === null ? 1 : attrs.decay[bh % heads]!;
    for (let d = 0; d < dk; d++) {
      for (let e = 0; e < dv; e++) {
        const at = (bh * dk + d) * dv + e;
        let total = previous === undefined ? 0 : gamma ** length * previous.data[at]!;
        for (let t = 0; t < length; t++) {
          const feature = phi(key.data[(bh * length + t) * dk + d]!);
          const v = value === undefined ? 1 : value.data[(bh * length + t) * dv + e]!;
          total += gamma ** (length - 1 - t) * feature * v;
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
