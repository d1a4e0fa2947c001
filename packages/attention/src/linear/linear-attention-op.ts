import type { OpDef } from '@weft/ir';
import { decomposeLinearAttention, decomposeLinearState } from './decompose-linear-attention.js';
import {
  decodeLinearAttention,
  decodeLinearState,
  LINEAR_ATTENTION_OP,
  LINEAR_STATE_OP,
} from './linear-attention-attrs.js';
import { evaluateLinearAttention, evaluateLinearState } from './linear-attention-reference.js';
import { inferLinearAttention, inferLinearState } from './linear-shape-rules.js';

/**
 * The `linearAttention` op: operands query `[B, H, Nq, d_k]`, key `[B, H, Nk, d_k]`, value
 * `[B, H, Nk, d_v]`, and with `withState` the state `[B, H, d_k, d_v]` (and `[B, H, d_k]` with a
 * denominator) before the first position. Result `[B, H, Nq, d_v]`. Opaque for the planner: its
 * template (`@weft/attention/linear-kernels`) runs the non-causal state form or the causal chunk
 * sweep in one kernel. A plain value: nodes carry it.
 */
export const linearAttentionOp: OpDef = {
  name: LINEAR_ATTENTION_OP,
  arity: 'variadic',
  fusion: 'opaque',
  infer: (inputs, attrs) => inferLinearAttention(inputs, decodeLinearAttention(attrs)),
  evaluate: (inputs, attrs) => evaluateLinearAttention(inputs, decodeLinearAttention(attrs)),
  decompose: (node) => decomposeLinearAttention(node, decodeLinearAttention(node.attrs)),
  describe(node) {
    const attrs = decodeLinearAttention(node.attrs);
    return [
      attrs.causal ? `causal, chunk ${attrs.chunkSize}` : 'non-causal',
      attrs.featureMap.name,
      attrs.epsilon === null ? 'no denominator' : `eps ${attrs.epsilon}`,
      ...(attrs.decay === null ? [] : ['decay']),
      ...(attrs.withState ? ['from state'] : []),
    ].join(', ');
  },
};

/**
 * The `linearAttention.state` op: the recurrent state after the positions of its key (and value)
 * operands, S = γ^T S₀ + Σ_t γ^(T−1−t) φ(k_t) v_tᵀ `[B, H, d_k, d_v]` (part `values`) or
 * z = γ^T z₀ + Σ_t γ^(T−1−t) φ(k_t) `[B, H, d_k]` (part `keys`), S₀/z₀ the last operand when
 * `withState`. One kernel, one invocation per state element: a decode step costs O(d_k·d_v)
 * whatever the number of past positions.
 */
export const linearStateOp: OpDef = {
  name: LINEAR_STATE_OP,
  arity: 'variadic',
  fusion: 'opaque',
  infer: (inputs, attrs) => inferLinearState(inputs, decodeLinearState(attrs)),
  evaluate: (inputs, attrs) => evaluateLinearState(inputs, decodeLinearState(attrs)),
  decompose: (node) => decomposeLinearState(node, decodeLinearState(node.attrs)),
  describe(node) {
    const attrs = decodeLinearState(node.attrs);
    return [attrs.part, attrs.featureMap.name, ...(attrs.decay === null ? [] : ['decay'])].join(', ');
  },
};
