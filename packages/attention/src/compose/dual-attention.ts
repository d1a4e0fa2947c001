import {
  add,
  broadcastTo,
  concat,
  matmul,
  mul,
  type Node,
  param,
  reshape,
  SpecError,
  slice,
  sum,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** Options of {@link dualAttention}. */
export interface DualAttentionOptions {
  /** n_sa, standard (sensory) softmax heads. */
  readonly selfHeads: number;
  /** n_ra ≥ 1, relational heads. Head dim d_h = d/(n_sa + n_ra). */
  readonly relationalHeads: number;
  /** d_r, relations per pair. */
  readonly relations: number;
  /** d_rp, the dim of each relation's projections. */
  readonly relationDim: number;
  /** Block name prefixing the parameters. Default `'dualAttention'`. */
  readonly name?: string;
}

/**
 * Dual attention (Altabaa & Lafferty, "Disentangling and Integrating Relational and Sensory
 * Information in Transformer Architectures", catalog paper 36): n_sa standard heads next to n_ra
 * relational heads, whose output is out_i^h = Σ_j α^h_ij (r(x_i, x_j) W_r^h + s_j W_s^h), with
 * α^h = softmax((xW_q^h)(xW_k^h)ᵀ/√d_h), relations r(x_i, x_j)_ℓ = ⟨x_i W^rel_{q,ℓ}, x_j W^rel_{k,ℓ}⟩/√d_rp
 * (identity activation, shared by the heads) and positional symbols s_j (one learned vector per
 * position); heads concatenated → W_o. By the catalog's fusion identity
 * Σ_j α_ij r_ijℓ = (x_i W^rel_{q,ℓ})·(Σ_j α_ij x_j W^rel_{k,ℓ})/√d_rp, each relational head is one
 * fused kernel whose values are [x W^rel_k, s W_s^h], followed by a per-query dot with x W^rel_q
 * and W_r^h: no n×n×d_r tensor. Position-relative and symbolic-attention symbol retrievers and
 * non-identity relation activations are not built (the identity does not hold for the latter).
 *
 * Parameters: `${name}.query`, `.key`, `.value` `[d, n_sa·d_h]` (standard heads),
 * `${name}.relational.query`, `.key` `[d, n_ra·d_h]` (their α), `${name}.relations.query`, `.key`
 * `[d, d_r·d_rp]`, `${name}.symbols` `[n, d]`, `${name}.symbolValue` `[d, n_ra·d_h]`,
 * `${name}.relationOut` `[n_ra, d_r, d_h]`, `${name}.output` `[d, d]`. Shapes: `x` `[batch, n, d]`.
 *
 * @example
 * ```ts
 * const y = dualAttention(input('x', [2, 12, 16]), { selfHeads: 2, relationalHeads: 2, relations: 4, relationDim: 4 });
 * ```
 */
export function dualAttention(x: Node, options: DualAttentionOptions): Node {
  const name = options.name ?? 'dualAttention';
  const { selfHeads, relationalHeads, relations, relationDim } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`dualAttention "${name}": x must be [batch, n, d], static`, {
      block: name,
      tensor: 'x',
      expected: '[batch, n, d] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  const [batch, length, width] = x.shape as [number, number, number];
  const heads = selfHeads + relationalHeads;
  const sizes = [selfHeads, relationalHeads - 1, relations - 1, relationDim - 1];
  if (!sizes.every((size) => Number.isInteger(size) && size >= 0) || width % heads !== 0)
    throw new SpecError(
      `dualAttention "${name}": needs relationalHeads, relations, relationDim >= 1 and heads dividing d`,
      {
        block: name,
        expected: `selfHeads + relationalHeads dividing ${width}`,
        actual: `selfHeads ${selfHeads}, relationalHeads ${relationalHeads}, relations ${relations}, relationDim ${relationDim}`,
      },
    );
  const headDim = width / heads;
  const weight = (part: string, columns: number) => param(`${name}.${part}`, [width, columns]);
  const parts: Node[] = [];
  if (selfHeads > 0) {
    const project = (part: string) => splitHeads(matmul(x, weight(part, selfHeads * headDim)), selfHeads);
    const spec = attention({ heads: selfHeads, headDim, name: `${name}.self` });
    parts.push(
      applyAttention(spec, { query: project('query'), key: project('key'), value: project('value') }).output,
    );
  }
  const relationWidth = relations * relationDim;
  const relationQuery = matmul(x, weight('relations.query', relationWidth));
  const relationKey = reshape(matmul(x, weight('relations.key', relationWidth)), [
    batch,
    1,
    length,
    relationWidth,
  ]);
  // s_j W_s^h, positional symbols shared by the batch.
  const symbolValues = splitHeads(
    reshape(
      matmul(param(`${name}.symbols`, [length, width]), weight('symbolValue', relationalHeads * headDim)),
      [1, length, relationalHeads * headDim],
    ),
    relationalHeads,
  );
  const value = concat(
    [
      broadcastTo(relationKey, [batch, relationalHeads, length, relationWidth]),
      broadcastTo(symbolValues, [batch, relationalHeads, length, headDim]),
    ],
    3,
  );
  const project = (part: string) =>
    splitHeads(matmul(x, weight(`relational.${part}`, relationalHeads * headDim)), relationalHeads);
  const spec = attention({
    heads: relationalHeads,
    headDim,
    valueDim: relationWidth + headDim,
    name: `${name}.relational`,
  });
  const attended = applyAttention(spec, { query: project('query'), key: project('key'), value }).output;
  const shape5 = [batch, relationalHeads, length, relations, relationDim];
  const keySummary = reshape(
    slice(attended, [0, 0, 0, 0], [batch, relationalHeads, length, relationWidth]),
    shape5,
  );
  const queries = reshape(relationQuery, [batch, 1, length, relations, relationDim]);
  // ρ_iℓ = (x_i W^rel_{q,ℓ})·(Σ_j α_ij x_j W^rel_{k,ℓ}) / √d_rp, then ρ W_r^h.
  const relationSummary = mul(sum(mul(keySummary, queries), [4]), relationDim ** -0.5);
  const relationOut = matmul(
    relationSummary,
    reshape(param(`${name}.relationOut`, [relationalHeads, relations, headDim]), [
      1,
      relationalHeads,
      relations,
      headDim,
    ]),
  );
  const symbolOut = slice(
    attended,
    [0, 0, 0, relationWidth],
    [batch, relationalHeads, length, relationWidth + headDim],
  );
  parts.push(add(relationOut, symbolOut));
  const merged = mergeHeads(parts.length === 1 ? parts[0]! : concat(parts, 1));
  return matmul(merged, param(`${name}.output`, [width, width]));
}
