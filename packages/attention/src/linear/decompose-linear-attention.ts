import {
  add,
  cumsum,
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
  sub,
  sum,
  variable,
} from '@weft/ir';
import {
  GATE_FLOOR,
  type LinearAttentionAttrs,
  type LinearStateAttrs,
  stateOperandIndex,
} from './linear-attention-attrs.js';

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

/** log max(g, floor) elementwise. */
function logGate(gate: Node): Node {
  return mapElements([gate], OPERAND.max(GATE_FLOOR).apply('log'));
}

/** e^x elementwise. */
function exponential(x: Node): Node {
  return mapElements([x], OPERAND.apply('exp'));
}

/**
 * `linearAttention` as built-in ops, in the quadratic form of its definition: the scores
 * φ(Q)φ(K)ᵀ (`[B, H, Nq, Nk]`), times γ^(i−j) masked to j ≤ i when causal, times V, plus the
 * state read γ^(i+1) φ(q_i)ᵀ S₀, divided by the row sums (+ γ^(i+1) φ(q_i)·z₀) + ε. The unfused
 * baseline and the f32 yardstick; it materializes N×N scores, which the kernels never do. With a
 * gate, B = cumsum(log g) along positions and the scores are (φ(Q) ⊙ e^B)(φ(K) ⊙ e^(−B))ᵀ: exact
 * in float64, but e^(−B) overflows f32 once the gates' product falls below ~1e-38 (long
 * sequences, small gates), which the chunked kernel never forms.
 */
export function decomposeLinearAttention(node: Node, attrs: LinearAttentionAttrs): Node {
  const [query, key, value] = node.inputs as [Node, Node, Node];
  let phiQ = featureMapped(query, attrs);
  let phiK = featureMapped(key, attrs);
  if (attrs.gated) {
    const cumulative = cumsum(logGate(node.inputs[3]!), 2);
    phiQ = mul(phiQ, exponential(cumulative));
    phiK = mul(phiK, exponential(mapElements([cumulative], OPERAND.neg())));
  }
  const first = stateOperandIndex(attrs);
  const queries = query.shape[2]!;
  const rates = logRates(attrs.decay, attrs.heads);
  let scores = matmul(phiQ, phiK, { transposeB: true });
  if (attrs.causal)
    scores = mul(scores, decayGrid(rates, queries, key.shape[2]!, ROW.sub(COLUMN), COLUMN.le(ROW)));
  let numerator = matmul(scores, value);
  let denominator = attrs.epsilon === null ? undefined : sum(scores, 3, { keepDims: true });
  if (attrs.withState) {
    const carried = mul(phiQ, decayGrid(rates, queries, 1, ROW.add(1)));
    numerator = add(numerator, matmul(carried, node.inputs[first]!));
    if (denominator !== undefined) {
      const keyState = node.inputs[first + 1]!;
      denominator = add(denominator, matmul(carried, reshape(keyState, [...keyState.shape, 1])));
    }
  }
  return denominator === undefined ? numerator : div(numerator, add(denominator, attrs.epsilon!));
}

/**
 * `linearAttention.state` as built-in ops: φ(K) weighted by γ^(T−1−t), then Kᵀ V (`values`) or a
 * sum over positions (`keys`), plus γ^T times the previous state. A gate weighs φ(k_t) by
 * e^(B_T − B_t) (the gates after t) and the previous state by e^(B_T).
 */
export function decomposeLinearState(node: Node, attrs: LinearStateAttrs): Node {
  const [key] = node.inputs as [Node];
  const length = key.shape[2]!;
  const rates = logRates(attrs.decay, attrs.heads);
  let phiK = featureMapped(key, attrs);
  if (attrs.decay !== null) phiK = mul(phiK, decayGrid(rates, length, 1, dimExpr(length).sub(1).sub(ROW)));
  let total: Node | undefined;
  if (attrs.gated) {
    const logs = logGate(node.inputs[attrs.part === 'values' ? 2 : 1]!);
    total = sum(logs, 2, { keepDims: true }); // [B, H, 1, d_k]
    phiK = mul(phiK, exponential(sub(total, cumsum(logs, 2))));
  }
  let state = attrs.part === 'values' ? matmul(phiK, node.inputs[1]!, { transposeA: true }) : sum(phiK, 2);
  if (attrs.withState) {
    const previous = node.inputs[node.inputs.length - 1]!;
    if (total !== undefined) {
      const [batch, heads, , dk] = total.shape;
      const carried = exponential(
        reshape(total, attrs.part === 'values' ? [batch!, heads!, dk!, 1] : [batch!, heads!, dk!]),
      );
      return add(state, mul(previous, carried));
    }
    const carried = decayGrid(rates, 1, 1, dimExpr(length));
    state = add(state, mul(previous, attrs.part === 'values' ? carried : reshape(carried, [attrs.heads, 1])));
  }
  return state;
}
