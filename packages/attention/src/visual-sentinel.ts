import { exp, formatShape, type Node, ShapeError, sub } from '@weft/ir';
import { type AttentionPartial, mergeAttention } from './merge-attention.js';

/** A per-query extra key/value slot: its logit and its value. */
export interface SentinelSlot {
  /** The slot's score for each query row, `[batch, heads, queries]` (e.g. w_hᵀ tanh(W_s s_t + W_g h_t)). */
  readonly logit: Node;
  /** The slot's value for each query row, `[batch, heads, queries, valueDim]` (the sentinel s_t). */
  readonly value: Node;
}

/** What {@link withSentinel} returns: attention over the keys and the slot. */
export interface SentinelResult extends AttentionPartial {
  /** β, the slot's softmax probability per query row `[batch, heads, queries]`. */
  readonly sentinelWeight: Node;
}

/**
 * Adds one extra key/value slot per query row to softmax attention over the keys: the visual
 * sentinel of "Knowing When to Look" (Lu et al., catalog paper 108), α̂ = softmax([z; z_s]),
 * ĉ = β s + (1 − β) c with β = α̂[k + 1] and c the attention over the keys. Exact, through the
 * log-sum-exp merge: the slot is a one-key partial with lse = z_s and output s, merged with
 * `attended` (an `applyAttention` result with `outputs: { logSumExp: true }`) by elementwise ops
 * after the attention kernel (the slot is not a key inside the kernel; the learned sink of
 * `softmax({ sink })` is the in-kernel slot without a value). Also returns β.
 *
 * @example
 * ```ts
 * const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 16, 16])) as [Node, Node, Node];
 * const sentinelLogit = input('sentinelLogit', [1, 4, 16]); // the slot's score per query row
 * const sentinel = input('sentinel', [1, 4, 16, 16]); // the slot's value per query row
 * const attended = applyAttention(attention({ heads: 4, headDim: 16, outputs: { logSumExp: true } }), { query, key, value });
 * const { output, sentinelWeight } = withSentinel(
 *   { output: attended.output, logSumExp: attended.logSumExp! },
 *   { logit: sentinelLogit, value: sentinel },
 * );
 * ```
 */
export function withSentinel(
  attended: AttentionPartial,
  slot: SentinelSlot,
  name = 'sentinel',
): SentinelResult {
  const rows = attended.logSumExp.shape;
  if (slot.logit.shape.length !== rows.length || slot.logit.shape.some((dim, axis) => dim !== rows[axis]))
    throw new ShapeError(`${name}: the sentinel logit must be [batch, heads, queries] like the log-sum-exp`, {
      block: name,
      tensor: 'logit',
      expected: formatShape(rows),
      actual: formatShape(slot.logit.shape),
    });
  const merged = mergeAttention([attended, { output: slot.value, logSumExp: slot.logit }], { name });
  return { ...merged, sentinelWeight: exp(sub(slot.logit, merged.logSumExp)) };
}
