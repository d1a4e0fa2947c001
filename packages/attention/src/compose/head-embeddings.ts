import { add, matmul, mul, type Node, param, reshape, SpecError } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads } from './head-layout.js';

/** How MHE combines the shared projection with each head's embedding. */
export type HeadEmbeddingMode = 'add' | 'mul';

/** Options of {@link multiHeadEmbeddingAttention}. */
export interface HeadEmbeddingOptions {
  /** Heads n. */
  readonly heads: number;
  /** Head dim d_h of the one shared projection. */
  readonly headDim: number;
  /** MHE-ADD (`add`, Q_i = XW_Q + e_i^Q) or MHE-MUL (`mul`, Q_i = XW_Q ⊙ e_i^Q). */
  readonly mode: HeadEmbeddingMode;
  /** Block name prefixing the parameters. Default `'mhe'`. */
  readonly name?: string;
}

/**
 * MHE, multiple head embeddings (Xue & Aletras, "Pit One Against Many", catalog paper 73): one
 * shared projection per role, W_Q, W_K, W_V ∈ R^{d×d_h}, and per-head embeddings e_i ∈ R^{d_h}
 * that make the heads: MHE-ADD Q_i = XW_Q + e_i^Q, MHE-MUL Q_i = XW_Q ⊙ e_i^Q (likewise K, V);
 * head_i = softmax(Q_i K_iᵀ/√d_h) V_i and O = concat_i(head_i) W_O. The head axis comes from
 * broadcasting `[batch, 1, n, d_h]` against `[heads, 1, d_h]`; the broadcast Q, K, V are formed
 * before the one fused attention kernel (not inside it, as the catalog's fusion note suggests).
 *
 * Parameters: `${name}.query`, `.key`, `.value` `[d, d_h]`, `${name}.queryEmbedding`,
 * `.keyEmbedding`, `.valueEmbedding` `[heads, d_h]`, `${name}.output` `[heads·d_h, d]`.
 * Shapes: `x` `[batch, n, d]` → `[batch, n, d]`, static.
 *
 * @example
 * ```ts
 * const y = multiHeadEmbeddingAttention(input('x', [2, 12, 16]), { heads: 4, headDim: 8, mode: 'mul' });
 * ```
 */
export function multiHeadEmbeddingAttention(x: Node, options: HeadEmbeddingOptions): Node {
  const name = options.name ?? 'mhe';
  const { heads, headDim, mode } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`multiHeadEmbeddingAttention "${name}": x must be [batch, n, d], static`, {
      block: name,
      tensor: 'x',
      expected: '[batch, n, d] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  if (mode !== 'add' && mode !== 'mul')
    throw new SpecError(`multiHeadEmbeddingAttention "${name}": mode must be 'add' or 'mul'`, {
      block: name,
      expected: "'add' | 'mul'",
      actual: String(mode),
    });
  const [batch, rows, width] = x.shape as [number, number, number];
  const role = (part: string) => {
    const shared = reshape(matmul(x, param(`${name}.${part}`, [width, headDim])), [batch, 1, rows, headDim]);
    const embedding = reshape(param(`${name}.${part}Embedding`, [heads, headDim]), [heads, 1, headDim]);
    return mode === 'add' ? add(shared, embedding) : mul(shared, embedding);
  };
  const attended = applyAttention(attention({ heads, headDim, name: `${name}.attention` }), {
    query: role('query'),
    key: role('key'),
    value: role('value'),
  }).output;
  return matmul(mergeHeads(attended), param(`${name}.output`, [heads * headDim, width]));
}
