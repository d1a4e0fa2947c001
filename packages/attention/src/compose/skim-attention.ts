import { add, matmul, type Node, param, SpecError } from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** The layout queries and keys that every Skimformer layer attends with, `[batch, heads, n, d_s]`. */
export interface SkimLayout {
  readonly query: Node;
  readonly key: Node;
}

/**
 * Skim-Attention's layout projections (Nguyen et al., catalog paper 62), computed once per model:
 * L W_Q and L W_K from the layout embeddings L `[batch, n, d_layout]` (the sum of the token's
 * bounding-box embeddings, built by the caller), split into `heads` heads of d_layout/heads.
 * Parameters `${name}.query`, `${name}.key` `[d_layout, d_layout]`.
 *
 * @example
 * ```ts
 * const layout = skimLayout(input('layout', [2, 12, 16]), { heads: 4, name: 'skim' });
 * ```
 */
export function skimLayout(
  layout: Node,
  options: { readonly heads: number; readonly name: string },
): SkimLayout {
  const { heads, name } = options;
  if (layout.rank !== 3 || !layout.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`skimLayout "${name}": layout must be [batch, n, d], static`, {
      block: name,
      tensor: 'layout',
      expected: '[batch, n, d] with static sizes',
      actual: `[${layout.shape.map(String).join(', ')}]`,
    });
  const width = layout.shape[2] as number;
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0)
    throw new SpecError(`skimLayout "${name}": heads must divide the layout width`, {
      block: name,
      expected: `a divisor of ${width}`,
      actual: heads,
    });
  const project = (part: string) =>
    splitHeads(matmul(layout, param(`${name}.${part}`, [width, width])), heads);
  return { query: project('query'), key: project('key') };
}

/**
 * One Skimformer layer's attention sublayer (catalog paper 62): H' = LN(H + W_O^ℓ · (A · (H W_V^ℓ)))
 * with A = softmax((L W_Q)(L W_K)ᵀ/√d_s) from the shared layout, the same map in every layer. The
 * map is not stored: each layer's fused kernel recomputes it from the layout queries and keys
 * (the catalog's recommended lowering), so no n×n tensor exists; only V and O are per layer. The
 * FFN after it is the caller's.
 *
 * Parameters `${name}.value` `[d, heads·d_s]`, `${name}.output` `[heads·d_s, d]`, `${name}.norm`
 * (γ, β `[d]`). Shapes: `h` `[batch, n, d]` → `[batch, n, d]`.
 *
 * @example
 * ```ts fragment
 * const h1 = skimAttentionLayer(h0, layout, { name: 'layers.0.skim' });
 * const h2 = skimAttentionLayer(h1, layout, { name: 'layers.1.skim' });
 * ```
 */
export function skimAttentionLayer(h: Node, layout: SkimLayout, options: { readonly name: string }): Node {
  const { name } = options;
  const [, heads, , layoutHeadDim] = layout.query.shape as [number, number, number, number];
  if (h.rank !== 3 || !h.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`skimAttentionLayer "${name}": h must be [batch, n, d], static`, {
      block: name,
      tensor: 'h',
      expected: '[batch, n, d] with static sizes',
      actual: `[${h.shape.map(String).join(', ')}]`,
    });
  const width = h.shape[2] as number;
  const inner = heads * layoutHeadDim;
  const value = splitHeads(matmul(h, param(`${name}.value`, [width, inner])), heads);
  const spec = attention({ heads, headDim: layoutHeadDim, name: `${name}.attention` });
  const attended = applyAttention(spec, { query: layout.query, key: layout.key, value }).output;
  const out = matmul(mergeHeads(attended), param(`${name}.output`, [inner, width]));
  return layerNorm(add(h, out), { name: `${name}.norm` });
}
