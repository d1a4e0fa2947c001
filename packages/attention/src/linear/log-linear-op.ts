import {
  type Attrs,
  DTypeError,
  makeNode,
  type Node,
  type OpDef,
  ShapeError,
  SpecError,
  type TensorType,
} from '@weft/ir';
import { fenwickLevelCount } from './fenwick-levels.js';
import { checkOperands, chunkedForm } from './log-linear-forms.js';

/** Name of the fused log-linear attention op (one chunk sweep over Fenwick level states). */
export const LOG_LINEAR_OP = 'linearAttention.logLinear';

/** The attributes of a `linearAttention.logLinear` node, decoded. */
export interface LogLinearAttrs {
  /** Block name (errors, labels). */
  readonly block: string;
  /** Positions per chunk of the sweep: a power of two in [1, 64]. */
  readonly chunkSize: number;
  /** Whether the Mamba-2 log decay a `[B, H, N]` is operand 4. */
  readonly decayed: boolean;
}

/** Decodes (and checks) the attributes of a `linearAttention.logLinear` node. */
export function decodeLogLinear(attrs: Attrs): LogLinearAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'log-linear';
  const chunkSize = attrs.chunkSize;
  if (
    typeof chunkSize !== 'number' ||
    !Number.isInteger(Math.log2(chunkSize)) ||
    chunkSize < 1 ||
    chunkSize > 64
  )
    throw new SpecError(`log-linear attention "${block}": chunkSize must be a power of two in [1, 64]`, {
      block,
      dimension: 'chunkSize',
      expected: '1, 2, 4, … 64',
      actual: String(chunkSize),
    });
  return { block, chunkSize, decayed: attrs.decayed === true };
}

function inferLogLinear(inputs: readonly TensorType[], attrs: LogLinearAttrs): TensorType {
  const operands = attrs.decayed ? 5 : 4;
  if (inputs.length !== operands)
    throw new ShapeError(`log-linear attention "${attrs.block}": expected ${operands} operands`, {
      block: attrs.block,
      expected: attrs.decayed ? 'q, k, v, λ, a' : 'q, k, v, λ',
      actual: inputs.length,
    });
  const names = ['query', 'key', 'value', 'levelWeights', 'logDecay'];
  for (const [index, operand] of inputs.entries())
    if (operand.dtype !== 'f32')
      throw new DTypeError(`log-linear attention "${attrs.block}": ${names[index]} must be f32`, {
        block: attrs.block,
        tensor: names[index]!,
        expected: 'f32',
        actual: operand.dtype,
      });
  const [q, k, v, lambda, a] = inputs as [TensorType, TensorType, TensorType, TensorType, TensorType?];
  const { B, H, N, dv } = checkOperands(q, k, v, lambda, a, attrs.block);
  return { shape: [B, H, N, dv], dtype: 'f32' };
}

/**
 * The `linearAttention.logLinear` op: log-linear attention (catalog paper 109, the Mamba-2
 * instance) over query, key `[B, H, N, d_k]`, value `[B, H, N, d_v]`, level weights λ
 * `[B, H, N, L]` and, when `decayed`, the log decay a `[B, H, N]`; result `[B, H, N, d_v]`. Opaque
 * for the planner: its template (`@weft/attention/linear-kernels`) sweeps the chunks once, holding
 * the Fenwick level states in workgroup memory. It has no `evaluate`: its float64 definition is
 * its decomposition, the chunked IR form of `logLinearAttention` (which is also the unfused
 * baseline), checked against the quadratic form and the paper's dense formula.
 */
export const logLinearOp: OpDef = {
  name: LOG_LINEAR_OP,
  arity: 'variadic',
  fusion: 'opaque',
  infer: (inputs, attrs) => inferLogLinear(inputs, decodeLogLinear(attrs)),
  decompose(node) {
    const attrs = decodeLogLinear(node.attrs);
    const [q, k, v, lambda, a] = node.inputs as [Node, Node, Node, Node, Node?];
    const sizes = checkOperands(q, k, v, lambda, a, attrs.block);
    return chunkedForm(q, k, v, lambda, a, sizes, attrs.chunkSize);
  },
  describe(node) {
    const attrs = decodeLogLinear(node.attrs);
    const n = node.inputs[0]!.shape[2];
    const levels = typeof n === 'number' ? `, ${fenwickLevelCount(n)} levels` : '';
    return `chunk ${attrs.chunkSize}${levels}${attrs.decayed ? ', decay' : ''}`;
  },
};

/** One `linearAttention.logLinear` node over checked operands. */
export function fusedLogLinear(
  operands: {
    readonly q: Node;
    readonly k: Node;
    readonly v: Node;
    readonly lambda: Node;
    readonly a?: Node;
  },
  block: string,
  chunkSize: number,
): Node {
  const { q, k, v, lambda, a } = operands;
  const inputs = a === undefined ? [q, k, v, lambda] : [q, k, v, lambda, a];
  return makeNode(logLinearOp, inputs, { block, chunkSize, decayed: a !== undefined }, block);
}
