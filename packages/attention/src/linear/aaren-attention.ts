import { add, exp, max, mul, type Node, param, reshape, ShapeError, sub, sum } from '@weft/ir';

/** The operands of a one-feature linear-attention op for Aaren (see {@link aarenOperands}). */
export interface AarenOperands {
  /** Ones `[B, H, N, 1]`: Aaren's query is the learned token, folded into the key feature. */
  readonly query: Node;
  /** e^(s_i − c) `[B, H, N, 1]`, s_i = q·k_i, c = max_i s_i of the call (it cancels in the ratio). */
  readonly key: Node;
  /** V, unchanged. */
  readonly value: Node;
}

/**
 * Aaren, attention as an RNN (Feng et al. 2024, catalog paper 100): a learned, input-independent
 * query q per head (parameter `${name}.query` `[H, d]`), s_i = q·k_i, and the many-to-many output
 * o_t = Σ_{i≤t} e^(s_i) v_i / Σ_{i≤t} e^(s_i). As linear attention it has one feature,
 * φ(k_i) = e^(s_i − c) and φ(q) = 1: feed these operands to a causal spec with `headDim: 1`,
 * identity φ and the denominator at ε 0, and the chunked sweep is Aaren's prefix scan
 * (the state (z, S) is its (u, w)). c is the max of s over the call (per batch and head), so a
 * prefill is stable; the paper's running max m, which a decoder carries, is `applyAaren`'s.
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 1, valueDim: 16, featureMap: identity(), denominator: { epsilon: 0 }, causal: true });
 * const { output } = applyLinearAttention(spec, aarenOperands(key, value, 'aaren'));
 * ```
 * @throws ShapeError when the key is not `[B, H, N, d]` with static H and d.
 */
export function aarenOperands(key: Node, value: Node, name: string): AarenOperands {
  const scores = aarenScores(key, name);
  const features = exp(sub(scores, max(scores, 2, { keepDims: true })));
  return { query: onesLike(scores), key: features, value };
}

/**
 * Aaren's scores s_i = q·k_i `[B, H, N, 1]` for a key `[B, H, N, d]`, q the learned query
 * (parameter `${name}.query` `[H, d]`).
 *
 * @example
 * ```ts
 * const scores = aarenScores(key, 'aaren'); // [B, H, N, 1]
 * ```
 * @throws ShapeError when the key is not `[B, H, N, d]` with static H and d.
 */
export function aarenScores(key: Node, name: string): Node {
  const [, heads, , d] = key.shape;
  if (key.rank !== 4 || typeof heads !== 'number' || typeof d !== 'number')
    throw new ShapeError(`Aaren "${name}": key must be [B, H, N, d] with static H and d`, {
      block: name,
      tensor: 'key',
      expected: '[B, H, N, d]',
      actual: `rank ${key.rank}`,
    });
  const query = param(`${name}.query`, [heads, d]);
  return sum(mul(key, reshape(query, [heads, 1, d])), 3, { keepDims: true });
}

/**
 * Ones shaped like `scores`, computed from them (finite): the op's kernel reads its operands from
 * buffers, and a constant node has none.
 */
export function onesLike(scores: Node): Node {
  return add(mul(scores, 0), 1);
}
