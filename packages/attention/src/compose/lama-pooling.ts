import {
  broadcastTo,
  matmul,
  mul,
  type Node,
  param,
  permute,
  reshape,
  rsqrt,
  SpecError,
  sum,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { scale, scoreMod } from '../spec/score-mods.js';

/** Options of {@link lamaPooling}. */
export interface LamaPoolingOptions {
  /** Heads K: the pooled vectors per sequence. */
  readonly heads: number;
  /**
   * Divide each score by ‖c‖·‖h_t‖, as the paper's eq. 3.13 (default `true`); `false` is the public
   * port's form, which omits it.
   */
  readonly normalize?: boolean;
  /** Block name prefixing the parameters. Default `'lama'`. */
  readonly name?: string;
}

/**
 * LAMA's low-rank multi-head attention pooling (Mehta et al., "Low Rank Factorization for Compact
 * Multi-Head Self-Attention", catalog paper 58): for head k, e_{k,t} = tanh((p_kᵀc)(q_kᵀh_t) /
 * (‖c‖‖h_t‖)), a_k = softmax_t(e_k), M = A H `[K, d]`, with P, Q ∈ R^{d×K} and a learned global
 * context c ∈ R^d. One fused attention kernel with one query per head, s_k q_k / ‖c‖, over keys
 * h_t/‖h_t‖ shared by the heads (kvHeads = 1), the values h_t, and a tanh score mod. The encoder
 * that produces H (a BiGRU in the paper) is the caller's.
 *
 * Parameters: `${name}.p`, `${name}.q` `[d, K]`, `${name}.context` `[d]`. Shapes: `h`
 * `[batch, n, d]` → `[batch, K, d]`, static.
 *
 * @example
 * ```ts
 * const pooled = lamaPooling(input('h', [2, 12, 16]), { heads: 4 }); // [2, 4, 16]
 * ```
 */
export function lamaPooling(h: Node, options: LamaPoolingOptions): Node {
  const name = options.name ?? 'lama';
  const { heads } = options;
  const normalize = options.normalize ?? true;
  if (h.rank !== 3 || !h.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`lamaPooling "${name}": h must be [batch, n, d], static`, {
      block: name,
      tensor: 'h',
      expected: '[batch, n, d] with static sizes',
      actual: `[${h.shape.map(String).join(', ')}]`,
    });
  if (!Number.isInteger(heads) || heads < 1)
    throw new SpecError(`lamaPooling "${name}": heads must be an integer >= 1`, {
      block: name,
      actual: heads,
    });
  const [batch, length, width] = h.shape as [number, number, number];
  const context = param(`${name}.context`, [width]);
  // s_k = p_kᵀ c, one scalar per head; query_k = s_k q_k (over ‖c‖ when normalized).
  let headScale = matmul(reshape(context, [1, width]), param(`${name}.p`, [width, heads]));
  if (normalize) headScale = mul(headScale, rsqrt(sum(mul(context, context))));
  const queries = mul(param(`${name}.q`, [width, heads]), headScale);
  const query = broadcastTo(reshape(permute(queries, [1, 0]), [1, heads, 1, width]), [
    batch,
    heads,
    1,
    width,
  ]);
  const rows = reshape(h, [batch, 1, length, width]);
  const key = normalize ? mul(rows, rsqrt(sum(mul(rows, rows), [3], { keepDims: true }))) : rows;
  const spec = attention({
    heads,
    kvHeads: 1,
    headDim: width,
    name: `${name}.attention`,
    score: [scale(1), scoreMod((score) => score.apply('tanh'), 'tanh')],
  });
  const pooled = applyAttention(spec, { query, key, value: rows }).output;
  return reshape(pooled, [batch, heads, width]);
}
