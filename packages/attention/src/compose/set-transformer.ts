import { add, broadcastTo, matmul, type Node, param, permute, relu, reshape, SpecError } from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { scale } from '../spec/score-mods.js';

/** Sizes shared by the Set Transformer blocks. */
export interface SetBlockOptions {
  /** Attention heads h; they split the model width d into h slices of d/h. */
  readonly heads: number;
  /** Hidden width of the row-wise feed-forward rFF(x) = ReLU(x W₁ + b₁) W₂ + b₂. Default 2·d. */
  readonly hiddenDim?: number;
  /**
   * Score scale. Default 1/√(d/h), the per-head scale of the paper's multihead attention; the
   * authors' code uses 1/√d (the full width).
   */
  readonly scale?: number;
  /** Block name prefixing every parameter. */
  readonly name: string;
}

/**
 * Set Transformer's multihead attention block (Lee et al., catalog paper 55), in the paper's form:
 * MAB(X, Y) = LN(H + rFF(H)) with H = LN(X + Multihead(X, Y, Y)), where
 * Multihead(X, Y, Y) = concat_j softmax((X W_j^Q)(Y W_j^K)ᵀ · scale)(Y W_j^V) · W^O (no projection
 * biases) and rFF(x) = ReLU(x W₁ + b₁) W₂ + b₂. The attention is one fused kernel; LayerNorm has
 * ε = 1e-5 and learned γ, β.
 *
 * Parameters (`name` = `options.name`): `${name}.query`, `.key`, `.value`, `.output` `[d, d]`
 * (x·W layout), `${name}.rff.hidden.weight` `[d, hidden]`, `.hidden.bias`, `.output.weight`
 * `[hidden, d]`, `.output.bias`, and `${name}.norm0`, `${name}.norm1` (γ, β `[d]`).
 *
 * Shapes: `x` `[batch, n, d]`, `y` `[batch, m, d]` → `[batch, n, d]`, static.
 *
 * @example
 * ```ts
 * const x = input('x', [2, 12, 16]);
 * const y = input('y', [2, 5, 16]);
 * const h = multiheadAttentionBlock(x, y, { heads: 4, name: 'mab' }); // [2, 12, 16]
 * ```
 */
export function multiheadAttentionBlock(x: Node, y: Node, options: SetBlockOptions): Node {
  const { name, heads } = options;
  const [batch, , width] = checkedSet(x, 'x', name);
  checkedSet(y, 'y', name);
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0)
    throw new SpecError(`Set Transformer block "${name}": heads must divide the width`, {
      block: name,
      expected: `a divisor of ${width}`,
      actual: heads,
    });
  const headDim = width / heads;
  const split = (node: Node) => {
    const rows = node.shape[1] as number;
    return permute(reshape(node, [batch, rows, heads, headDim]), [0, 2, 1, 3]);
  };
  const project = (node: Node, part: string) => matmul(node, param(`${name}.${part}`, [width, width]));
  const spec = attention({
    heads,
    headDim,
    name: `${name}.attention`,
    score: [scale(options.scale ?? headDim ** -0.5)],
  });
  const attended = applyAttention(spec, {
    query: split(project(x, 'query')),
    key: split(project(y, 'key')),
    value: split(project(y, 'value')),
  }).output;
  const merged = reshape(permute(attended, [0, 2, 1, 3]), [batch, x.shape[1] as number, width]);
  const h = layerNorm(add(x, project(merged, 'output')), { name: `${name}.norm0` });
  return layerNorm(add(h, rowFeedForward(h, `${name}.rff`, options.hiddenDim ?? 2 * width)), {
    name: `${name}.norm1`,
  });
}

/**
 * SAB(X) = MAB(X, X): self-attention over the set (paper 55).
 *
 * @example
 * ```ts
 * const x = input('x', [2, 12, 16]);
 * const encoded = setAttentionBlock(x, { heads: 4, name: 'sab' });
 * ```
 */
export function setAttentionBlock(x: Node, options: SetBlockOptions): Node {
  return multiheadAttentionBlock(x, x, options);
}

/**
 * ISAB_m(X) = MAB(X, MAB(I, X)) with m learned inducing points I `${name}.inducing` `[m, d]`,
 * shared by the batch: two fused attention kernels of m×n and n×m scores, linear in n (paper 55).
 * The inner block's parameters are under `${name}.induce`, the outer's under `${name}.attend`.
 *
 * @example
 * ```ts
 * const x = input('x', [2, 12, 16]);
 * const encoded = inducedSetAttentionBlock(x, 4, { heads: 4, name: 'isab' });
 * ```
 */
export function inducedSetAttentionBlock(x: Node, inducingPoints: number, options: SetBlockOptions): Node {
  const induced = multiheadAttentionBlock(learnedRows(x, inducingPoints, `${options.name}.inducing`), x, {
    ...options,
    name: `${options.name}.induce`,
  });
  return multiheadAttentionBlock(x, induced, { ...options, name: `${options.name}.attend` });
}

/**
 * PMA_k(Z) = MAB(S, rFF(Z)) with k learned seed vectors S `${name}.seeds` `[k, d]`: pools a set of n
 * rows into k (paper 55). The rFF on Z is `${name}.rff`, the block's parameters `${name}.pool`.
 *
 * @example
 * ```ts
 * const z = input('z', [2, 12, 16]);
 * const pooled = poolingByMultiheadAttention(z, 1, { heads: 4, name: 'pma' }); // [2, 1, 16]
 * ```
 */
export function poolingByMultiheadAttention(z: Node, seeds: number, options: SetBlockOptions): Node {
  const width = checkedSet(z, 'z', options.name)[2];
  const features = rowFeedForward(z, `${options.name}.rff`, options.hiddenDim ?? 2 * width);
  return multiheadAttentionBlock(learnedRows(z, seeds, `${options.name}.seeds`), features, {
    ...options,
    name: `${options.name}.pool`,
  });
}

/** rFF(x) = ReLU(x W₁ + b₁) W₂ + b₂, applied to every row. */
function rowFeedForward(x: Node, name: string, hidden: number): Node {
  const width = x.shape[x.rank - 1] as number;
  const inner = relu(
    add(matmul(x, param(`${name}.hidden.weight`, [width, hidden])), param(`${name}.hidden.bias`, [hidden])),
  );
  return add(
    matmul(inner, param(`${name}.output.weight`, [hidden, width])),
    param(`${name}.output.bias`, [width]),
  );
}

/** A learned `[count, d]` parameter broadcast over the batch of `like` `[batch, n, d]`. */
function learnedRows(like: Node, count: number, name: string): Node {
  const [batch, , width] = like.shape as [number, number, number];
  if (!Number.isInteger(count) || count < 1)
    throw new SpecError(`Set Transformer block "${name}": the number of learned rows must be >= 1`, {
      block: name,
      actual: count,
    });
  return broadcastTo(param(name, [count, width]), [batch, count, width]);
}

function checkedSet(node: Node, tensor: string, name: string): [number, number, number] {
  if (node.rank !== 3 || !node.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`Set Transformer block "${name}": ${tensor} must be [batch, n, d], static`, {
      block: name,
      tensor,
      expected: '[batch, n, d] with static sizes',
      actual: `[${node.shape.map(String).join(', ')}]`,
    });
  return node.shape as [number, number, number];
}
