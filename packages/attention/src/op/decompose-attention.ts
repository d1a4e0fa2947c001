import {
  add,
  constant,
  type Dim,
  dimExpr,
  type Expr,
  exprNodes,
  gather,
  isSymbolic,
  literal,
  mapElements,
  matmul,
  max,
  mul,
  type Node,
  reshape,
  substituteExpr,
  sum,
  UnsupportedError,
  variable,
  where,
} from '@weft/ir';
import { scaledInverseRoot, standardize, unitNormalize } from '@weft/norms';
import { groupHeadOf, readsL1Distance, VARIABLE_NAMES as V } from '../spec/attention-variables.js';
import {
  ATTENTION_READOUT_KINDS,
  type AttentionAttrs,
  type AttentionReadoutKind,
  type QkNormAttrs,
  type QkNormSideAttrs,
  type RopeAttrs,
} from './attention-attrs.js';
import { decomposeReadout } from './decompose-readout.js';
import { ropeTurns } from './rope-turns.js';

/**
 * Rewrites an attention node into primitive ops: weighted GQA as a sum of weighted KV heads, QK
 * norm as reductions and maps over the head dim, RoPE as a map over each element and its pair
 * partner, GQA as gathers of key heads and of value heads (grouped independently), `Q·Kᵀ` as a
 * matmul, the L1 distance (when the score reads it) as an N×N×d map and sum, score and mask Exprs as maps (tensor
 * reads become gathers), the normalizer through its def's decomposition, and `P·V` as a matmul. This is the
 * unfused baseline: it materializes the N×N scores. Captured tensors read at computed indices must
 * be rank 1 or have static shapes.
 */
export function decomposeAttention(node: Node, attrs: AttentionAttrs): Node {
  let [query, key, value] = node.inputs as [Node, Node, Node];
  const captured = new Map(attrs.tensors.map((use, position) => [use.name, node.inputs[3 + position]!]));
  const [, , queries] = query.shape as [Dim, Dim, Dim];
  const keys = key.shape[2]!;
  if (attrs.kvWeights !== null) {
    const weights = captured.get(attrs.kvWeights)!;
    key = mixHeads(key, weights, attrs.heads, attrs.kvHeads);
    value = mixHeads(value, weights, attrs.heads, attrs.kvHeads);
  }
  if (attrs.qkNorm !== null) {
    const parameter = (name: string | null) => (name === null ? undefined : captured.get(name)!);
    query = normalizeRows(query, attrs.qkNorm, attrs.qkNorm.query, parameter);
    key = normalizeRows(key, attrs.qkNorm, attrs.qkNorm.key, parameter);
  }
  if (attrs.rope !== null) {
    query = rotate(query, attrs.rope, dimExpr(keys).sub(dimExpr(queries)));
    key = rotate(key, attrs.rope, constant(0, 'i32'));
  }
  if (attrs.kvWeights === null) {
    key = headsOf(key, attrs.heads, attrs.kvHeads);
    value = headsOf(value, attrs.heads, attrs.valueHeads);
  }
  const raw = matmul(query, key, { transposeB: true });
  const distance = readsL1Distance(attrs.score) ? l1Distance(query, key) : undefined;
  const lower = new ScoreLowering(raw, captured, queries, keys, attrs, distance);
  const score = lower.map(attrs.score, raw);
  const keep = attrs.mask === null ? undefined : lower.map(attrs.mask);
  if (attrs.output === 'rowMax')
    return reshape(max(keep === undefined ? score : where(keep, score, -Infinity), -1), node.shape);
  const kept = (node: Node, fill: number) => (keep === undefined ? node : where(keep, node, fill));
  const weights = attrs.normalizerDef.decompose(attrs.normalizer, {
    score,
    keep,
    keys,
    value,
    kept,
    lower: (expr, like) => lower.map(expr, like),
    tensor: (name) => captured.get(name)!,
  });
  if (ATTENTION_READOUT_KINDS.includes(attrs.output as AttentionReadoutKind))
    return decomposeReadout(attrs.output as AttentionReadoutKind, attrs, weights.probabilities, node.shape);
  if (attrs.output === 'logSumExp') {
    if (weights.logSumExp === undefined)
      throw new UnsupportedError('log-sum-exp exists for softmax only', {
        expected: 'softmax',
        actual: attrs.normalizer.name,
      });
    return reshape(weights.logSumExp, node.shape);
  }
  return weights.output?.() ?? matmul(weights.probabilities, value);
}

/** Grouped heads: head h of the result is source head ⌊h·sourceHeads/heads⌋ (a gather; none for MHA). */
function headsOf(x: Node, heads: number, sourceHeads: number): Node {
  if (sourceHeads === heads) return x;
  const index = Array.from({ length: heads }, (_, h) => Math.floor((h * sourceHeads) / heads));
  return gather(x, literal(index, [heads], 'i32'), 1);
}

/** d_ij = Σ_d |q_id − k_jd| over `[B, H, Nq, 1, d]` against `[B, H, 1, Nk, d]`: the N×N×d grid. */
function l1Distance(query: Node, key: Node): Node {
  const [batch, heads, queries, dim] = query.shape as [Dim, Dim, Dim, Dim];
  const keys = key.shape[2]!;
  const rows = reshape(query, [batch, heads, queries, 1, dim]);
  const columns = reshape(key, [batch, heads, 1, keys, dim]);
  return sum(mapElements([rows, columns], variable('$0').sub(variable('$1')).apply('abs')), -1);
}

/** Weighted GQA: head h of the result is Σ_j w[h, j] · x[:, j] (`weights` `[heads, kvHeads]`). */
export function mixHeads(x: Node, weights: Node, heads: number, kvHeads: number): Node {
  let mixed: Node | undefined;
  for (let j = 0; j < kvHeads; j++) {
    const source = gather(x, literal(new Array<number>(heads).fill(j), [heads], 'i32'), 1);
    const column = reshape(gather(weights, literal([j], [1], 'i32'), 1), [heads, 1, 1]);
    const term = mul(source, column);
    mixed = mixed === undefined ? term : add(mixed, term);
  }
  return mixed!;
}

/**
 * QK norm over the last axis, from `@weft/norms`' statistics steps (the same graphs as its LayerNorm,
 * RMSNorm and ℓ₂ normalization: mean corrected once, rows scaled before squaring so rows near 1e20
 * do not overflow in f32), then γ and β.
 */
export function normalizeRows(
  x: Node,
  norm: QkNormAttrs,
  side: QkNormSideAttrs,
  parameter: (name: string | null) => Node | undefined,
): Node {
  const axes = [3];
  let result =
    norm.kind === 'layer'
      ? standardize(x, axes, norm.epsilon)
      : norm.kind === 'rms'
        ? scaledInverseRoot(x, axes, norm.epsilon)
        : unitNormalize(x, axes, norm.epsilon);
  const gamma = parameter(side.gamma);
  if (gamma !== undefined) result = mul(result, gamma);
  const beta = parameter(side.beta);
  if (beta !== undefined) result = add(result, beta);
  return result;
}

/**
 * RoPE of `[batch, heads, length, dim]` rows: x·cos(θ) + sign·partner(x)·sin(θ), position p of row
 * i is i + `offset` (+ the value of `offsetTensor`, an i32 node read on the device, when given:
 * `[1]`, a KV cache's count of earlier tokens, or rank 4 broadcasting over x's rows, one per row); θ = p·f for 1-D, ⌊p/W⌋·f_row + (p − W⌊p/W⌋)·f_column for 2-D (each dim has one of the
 * two). The angle is taken modulo one turn from the split frequencies of {@link ropeTurns}
 * (2π(frac(p·hi) + frac(p·mid) + p·lo)), so f32 kernels keep ~1e-7 of it at large positions.
 */
export function rotate(x: Node, rope: RopeAttrs, offset: Expr, offsetTensor?: Node): Node {
  const dim = x.shape[3] as number;
  const axisDims = rope.grid === null ? rope.rotaryDims : rope.rotaryDims / 2;
  const half = axisDims / 2;
  const turns = ropeTurns(rope);
  const partner: number[] = [];
  const hi: number[] = [];
  const mid: number[] = [];
  const lo: number[] = [];
  const column: number[] = [];
  const sign: number[] = [];
  for (let d = 0; d < dim; d++) {
    if (d >= rope.rotaryDims) {
      partner.push(d);
      hi.push(0);
      mid.push(0);
      lo.push(0);
      column.push(0);
      sign.push(0);
      continue;
    }
    const axis = Math.floor(d / axisDims);
    const local = d % axisDims;
    const first = rope.layout === 'half' ? local < half : local % 2 === 0;
    const pair = rope.layout === 'half' ? local % half : Math.floor(local / 2);
    const localPartner =
      rope.layout === 'half' ? (first ? local + half : local - half) : first ? local + 1 : local - 1;
    partner.push(axis * axisDims + localPartner);
    hi.push(turns.hi[pair]!);
    mid.push(turns.mid[pair]!);
    lo.push(turns.lo[pair]!);
    column.push(axis);
    sign.push(first ? -1 : 1);
  }
  const partnerValues = gather(x, literal(partner, [dim], 'i32'), 3);
  // The offset tensor is the last operand: `$6`, or `$7` after the 2-D RoPE column table.
  const offsetOperand = `$${rope.grid === null ? 6 : 7}`;
  const position =
    offsetTensor === undefined
      ? variable('i2', 'i32').add(offset)
      : variable('i2', 'i32').add(offset).add(variable(offsetOperand, 'i32'));
  let axisPosition = position;
  if (rope.grid !== null) {
    const width = constant(rope.grid[1], 'i32');
    const columnIndex = position.mod(width).add(width).mod(width);
    const rowIndex = position.sub(columnIndex).div(width);
    axisPosition = variable('$6', 'i32').eq(constant(1, 'i32')).select(columnIndex, rowIndex);
  }
  const p = axisPosition.cast('f32');
  const fraction = (part: Expr) => part.sub(part.apply('round'));
  const angle = fraction(p.mul(variable('$3')))
    .add(fraction(p.mul(variable('$4'))))
    .add(p.mul(variable('$5')))
    .mul(2 * Math.PI);
  const body = variable('$0')
    .mul(angle.apply('cos'))
    .add(variable('$1').mul(variable('$2')).mul(angle.apply('sin')));
  return mapElements(
    [
      x,
      partnerValues,
      literal(sign, [dim]),
      literal(hi, [dim]),
      literal(mid, [dim]),
      literal(lo, [dim]),
      ...(rope.grid === null ? [] : [literal(column, [dim], 'i32')]),
      ...(offsetTensor === undefined
        ? []
        : [offsetTensor.rank === 4 ? offsetTensor : reshape(offsetTensor, [1, 1, 1, 1])]),
    ],
    body,
  );
}

/**
 * Turns attention Exprs (over `score`, `b`, `h`, `kvHead`, `valueHead`, `q`, `k`, the lengths and captured-tensor reads)
 * into map nodes over the `[B, H, Nq, Nk]` score grid; each distinct read becomes a gathered operand.
 */
class ScoreLowering {
  constructor(
    private readonly grid: Node,
    private readonly captured: ReadonlyMap<string, Node>,
    private readonly queries: Dim,
    private readonly keys: Dim,
    private readonly headCounts: Pick<AttentionAttrs, 'heads' | 'kvHeads' | 'valueHeads'>,
    private readonly distance?: Node,
  ) {}

  /** A node holding `expr` at every grid element; `score` is operand 0 when given, the L1 distance operand 1 when read. */
  map(expr: Expr, score?: Node): Node {
    const operands: Node[] = [score ?? this.grid];
    // Only maps that read the distance take it: other operands keep their own (row) shapes.
    if (this.distance !== undefined && readsL1Distance(expr)) operands.push(this.distance);
    const reads = new Map<Expr, Expr>();
    for (const node of exprNodes(expr)) {
      if (node.kind !== 'read' || reads.has(node)) continue;
      operands.push(this.gathered(node));
      reads.set(node, variable(`$${operands.length - 1}`, node.dtype));
    }
    const body = substituteExpr(expr, (node) => {
      const replaced = reads.get(node);
      if (replaced !== undefined) return replaced;
      return node.kind === 'var' ? this.variableFor(String(node.payload), node.dtype) : undefined;
    });
    return mapElements(operands, body);
  }

  private variableFor(name: string, dtype: Expr['dtype']): Expr | undefined {
    switch (name) {
      case V.score:
        return variable('$0', dtype);
      case V.l1Distance:
        return this.distance === undefined ? undefined : variable('$1', dtype);
      case V.b:
        return variable('i0', 'i32');
      case V.h:
        return variable('i1', 'i32');
      case V.kvHead:
        return groupHeadOf(variable('i1', 'i32'), this.headCounts.heads, this.headCounts.kvHeads);
      case V.valueHead:
        return groupHeadOf(variable('i1', 'i32'), this.headCounts.heads, this.headCounts.valueHeads);
      case V.q:
        return variable('i2', 'i32');
      case V.k:
        return variable('i3', 'i32');
      case V.queryLength:
        return dimExpr(this.queries);
      case V.keyLength:
        return dimExpr(this.keys);
      default:
        return undefined;
    }
  }

  /** The values of one read at every grid element: a gather of the flattened tensor. */
  private gathered(read: Expr): Node {
    const name = String(read.payload);
    const tensor = this.captured.get(name)!;
    if (tensor.rank > 1 && tensor.shape.some(isSymbolic)) {
      throw new UnsupportedError(
        'the attention decomposition reads captured tensors of rank > 1 only with static shapes',
        {
          tensor: name,
          expected: 'static shape or rank 1',
          actual: tensor.shape.map((dim) => (typeof dim === 'number' ? dim : dim.name)).join(', '),
        },
      );
    }
    const flat =
      tensor.rank === 1
        ? tensor
        : reshape(tensor, [tensor.shape.reduce<number>((count, dim) => count * (dim as number), 1)]);
    let index: Expr = constant(0, 'i32');
    read.args.forEach((argument, axis) => {
      const stride = tensor.shape.slice(axis + 1).reduce<number>((count, dim) => count * (dim as number), 1);
      index = index.add(argument.cast('i32').mul(constant(stride, 'i32')));
    });
    const indexBody = substituteExpr(index, (node) =>
      node.kind === 'var' ? this.variableFor(String(node.payload), node.dtype) : undefined,
    );
    return gather(flat, mapElements([this.grid], indexBody), 0);
  }
}
