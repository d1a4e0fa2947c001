import { matmul, type Node, param, SpecError } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';

/** How Linformer's sequence projections are shared (Wang et al., section 4, "parameter sharing"). */
export type LinformerSharing = 'none' | 'headwise' | 'key-value';

/** Options of {@link linformerAttention}. */
export interface LinformerOptions {
  /** k, the projected sequence length (k ≪ n). */
  readonly projectedLength: number;
  /**
   * `none`: per-head E_i, F_i `[heads, k, n]`; `headwise` (default): one E and one F `[k, n]` for
   * all heads; `key-value`: one matrix `[k, n]` used as both E and F.
   */
  readonly sharing?: LinformerSharing;
  /**
   * Name prefixing the parameters (`${name}.keyProjection`, and `${name}.valueProjection` unless
   * keys and values share) and naming the attention block. Default `'linformer'`.
   */
  readonly name?: string;
}

/** The nodes of {@link linformerAttention}. */
export interface LinformerResult {
  /** softmax(Q (E K)ᵀ / √d) (F V), `[batch, heads, n, valueDim]`. */
  readonly output: Node;
  /** E K, `[batch, heads, k, headDim]`. */
  readonly projectedKey: Node;
  /** F V, `[batch, heads, k, valueDim]`. */
  readonly projectedValue: Node;
}

/**
 * Linformer's self-attention (Wang et al., "Linformer: Self-Attention with Linear Complexity",
 * catalog paper 50): head_i = softmax(Q_i (E_i K_i)ᵀ / √d) (F_i V_i), with E_i, F_i ∈ R^{k×n}
 * learned projections along the sequence axis. E K and F V are batched matmuls; the attention
 * over the k projected keys is one fused softmax kernel. The projections are sized to a fixed n,
 * and the mechanism is not causal (every projected key mixes all positions).
 *
 * Shapes: `query` `[batch, heads, n, d]`, `key` `[batch, heads, n, d]`, `value` `[batch, heads, n, dv]`,
 * all static.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 32, 16])) as [Node, Node, Node];
 * const { output } = linformerAttention(q, k, v, { projectedLength: 8 });
 * ```
 */
export function linformerAttention(
  query: Node,
  key: Node,
  value: Node,
  options: LinformerOptions,
): LinformerResult {
  const name = options.name ?? 'linformer';
  const sharing = options.sharing ?? 'headwise';
  const { projectedLength } = options;
  const [, heads, length, headDim] = checkedShape(key, 'key', name);
  const [, , , valueDim] = checkedShape(value, 'value', name);
  checkedShape(query, 'query', name);
  if (!Number.isInteger(projectedLength) || projectedLength < 1)
    throw new SpecError(`linformerAttention "${name}": projectedLength must be an integer >= 1`, {
      block: name,
      expected: `an integer in [1, ${length}]`,
      actual: projectedLength,
    });
  const projectionShape = sharing === 'none' ? [heads, projectedLength, length] : [projectedLength, length];
  const keyProjection = param(`${name}.keyProjection`, projectionShape);
  const valueProjection =
    sharing === 'key-value' ? keyProjection : param(`${name}.valueProjection`, projectionShape);
  const projectedKey = matmul(keyProjection, key);
  const projectedValue = matmul(valueProjection, value);
  const { output } = applyAttention(attention({ heads, headDim, valueDim, name }), {
    query,
    key: projectedKey,
    value: projectedValue,
  });
  return { output, projectedKey, projectedValue };
}

function checkedShape(node: Node, tensor: string, name: string): [number, number, number, number] {
  if (node.rank !== 4 || !node.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`linformerAttention "${name}": ${tensor} must be [batch, heads, n, dim], static`, {
      block: name,
      tensor,
      expected: '[batch, heads, n, dim] with static sizes',
      actual: `[${node.shape.map(String).join(', ')}]`,
    });
  return node.shape as [number, number, number, number];
}
