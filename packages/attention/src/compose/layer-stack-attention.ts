import { concat, matmul, type Node, param, permute, reshape, SpecError } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';

/**
 * AILA's layered attention, architecture 2 (Claster et al., "Adaptive Integrated Layered Attention",
 * catalog paper 98, as the catalog reads it — it marks the forward [verify] and no code exists): each
 * token of the current layer attends over the stack of earlier layers' outputs at the same position,
 * h̃_t = Σ_{j<l} softmax_j(q_t·k_{j,t}/√d) v_{j,t}, q = x W_q, k_j = h^(j) W_k, v_j = h^(j) W_v (one
 * head, attention along the depth axis). One fused kernel: tokens become the batch, earlier layers the
 * keys. Parameters `${name}.query`, `.key`, `.value` `[d, d]`. Shapes: `x` and each earlier layer
 * `[batch, n, d]` → `[batch, n, d]`.
 *
 * @example
 * ```ts
 * const [x, h0, h1, h2] = ['x', 'h0', 'h1', 'h2'].map((name) => input(name, [1, 16, 32])) as [Node, Node, Node, Node];
 * const mixed = layerStackAttention(x, [h0, h1, h2], { name: 'layers.3.aila' });
 * ```
 */
export function layerStackAttention(
  x: Node,
  earlier: readonly Node[],
  options: { readonly name?: string } = {},
): Node {
  const name = options.name ?? 'aila';
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`layerStackAttention "${name}": x must be [batch, n, d], static`, {
      block: name,
      tensor: 'x',
      expected: '[batch, n, d] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  const [batch, length, width] = x.shape as [number, number, number];
  if (earlier.length === 0)
    throw new SpecError(`layerStackAttention "${name}": needs at least one earlier layer`, {
      block: name,
      expected: '>= 1 earlier layer',
      actual: 0,
    });
  earlier.forEach((layer, j) => {
    if (layer.shape.join() !== x.shape.join())
      throw new SpecError(`layerStackAttention "${name}": earlier[${j}] must have x's shape`, {
        block: name,
        tensor: `earlier[${j}]`,
        expected: `[${x.shape.join(', ')}]`,
        actual: `[${layer.shape.map(String).join(', ')}]`,
      });
  });
  const depth = earlier.length;
  const project = (node: Node, part: string) => matmul(node, param(`${name}.${part}`, [width, width]));
  // [batch, n, d] per layer → [batch·n, 1, depth, d]: each token a batch row, its layers the keys.
  const stack = (part: string) => {
    const layers = earlier.map((layer) => reshape(project(layer, part), [batch, 1, length, width]));
    const stacked = depth === 1 ? layers[0]! : concat(layers, 1);
    return reshape(permute(stacked, [0, 2, 1, 3]), [batch * length, 1, depth, width]);
  };
  const query = reshape(project(x, 'query'), [batch * length, 1, 1, width]);
  const spec = attention({ heads: 1, headDim: width, name: `${name}.attention` });
  const attended = applyAttention(spec, { query, key: stack('key'), value: stack('value') }).output;
  return reshape(attended, [batch, length, width]);
}
