import {
  add,
  type Dim,
  dimExpr,
  div,
  type Expr,
  full,
  literal,
  mapElements,
  matmul,
  mul,
  type Node,
  reshape,
  sum,
  variable,
} from '@weft/ir';
import type { LinearAttentionAttrs, LinearStateAttrs } from './linear-attention-attrs.js';

const OPERAND = variable('$0');
const LOG_RATE = variable('$1');
const ROW = variable('i1', 'i32');
const COLUMN = variable('i2', 'i32');

/** φ applied elementwise. */
function featureMapped(x: Node, attrs: { readonly featureMap: LinearAttentionAttrs['featureMap'] }): Node {
  return mapElements([x], attrs.featureMap.expr(OPERAND));
}

/** log γ_h as a `[H, 1, 1]` literal (zeros without decay, so that e^(log γ · n) = 1). */
function logRates(decay: readonly number[] | null, heads: number): Node {
  return literal(decay === null ? new Array<number>(heads).fill(0) : decay.map(Math.log), [heads, 1, 1]);
}

/** `[H, rows, columns]` of e^(log γ_h · exponent(i1, i2)) (`$0` is the zero grid that sets the shape). */
function decayGrid(rates: Node, rows: Dim, columns: Dim, exponent: Expr, keep?: Expr): Node {
  const value = LOG_RATE.mul(exponent.cast('f32')).apply('exp');
  return mapElements(
    [full(0, [1, rows, columns]), rates],
    OPERAND.add(keep === undefined ? value : keep.select(value, 0)),
  );
}

/**
 * `linearAttention` as built-in ops, in the quadratic form of its definition: the scores
 * φ(Q)φ(K)ᵀ (`[B, H, Nq, Nk]`), times γ^(i−j) masked to j ≤ i when causal, times V, plus the
 * state read γ^(i+1) φ(q_i)ᵀ S₀, divided by the row sums (+ γ^(i+1) φ(q_i)·z₀) + ε. The unfused
 * baseline and the f32 yardstick; it materializes N×N scores, which the kernels never do.
 */
export function decomposeLinearAttention(node: Node, attrs: LinearAttentionAttrs): Node {
  const [query, key, value] = node.inputs as [Node, Node, Node];
  const phiQ = featureMapped(query, attrs);
  const phiK = featureMapped(key, attrs);
  const queries = query.shape[2]!;
  const rates = logRates(attrs.decay, attrs.heads);
  let scores = matmul(phiQ, phiK, { transposeB: true });
  if (attrs.causal)
    scores = mul(scores, decayGrid(rates, queries, key.shape[2]!, ROW.sub(COLUMN), COLUMN.le(ROW)));
  let numerator = matmul(scores, value);
  let denominator = attrs.epsilon === null ? undefined : sum(scores, 3, { keepDims: true });
  if (attrs.withState) {
    const carried = mul(phiQ, decayGrid(rates, queries, 1, ROW.add(1)));
    numerator = add(numerator, matmul(carried, node.inputs[3]!));
    if (denominator !== undefined) {
      const keyState = node.inputs[4]!;
      denominator = add(denominator, matmul(carried, reshape(keyState, [...keyState.shape, 1])));
    }
  }
  return denominator === undefined ? numerator : div(numerator, add(denominator, attrs.epsilon!));
}

/**
 * `linearAttention.state` as built-in ops: φ(K) weighted by γ^(T−1−t), then Kᵀ V (`values`) or a
 * sum over positions (`keys`), plus γ^T times the previous state.
 */
export function decomposeLinearState(node: Node, attrs: LinearStateAttrs): Node {
  const [key] = node.inputs as [Node];
  const length = key.shape[2]!;
  const rates = logRates(attrs.decay, attrs.heads);
  let phiK = featureMapped(key, attrs);
  if (attrs.decay !== null) phiK = mul(phiK, decayGrid(rates, length, 1, dimExpr(length).sub(1).sub(ROW)));
  let state = attrs.part === 'values' ? matmul(phiK, node.inputs[1]!, { transposeA: true }) : sum(phiK, 2);
  if (attrs.withState) {
    const previous = node.inputs[node.inputs.length - 1]!;
    const carried = decayGrid(rates, 1, 1, dimExpr(length));
    state = add(state, mul(previous, attrs.part === 'values' ? carried : reshape(carried, [attrs.heads, 1])));
  }
  return state;
}
