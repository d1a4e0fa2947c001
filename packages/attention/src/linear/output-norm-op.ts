import {
  type Attrs,
  DTypeError,
  dimsEqual,
  makeNode,
  type Node,
  type OpDef,
  ShapeError,
  type Tensor64,
  type TensorType,
} from '@weft/ir';
import { layerNorm, rmsNorm } from '@weft/norms';
import { decodeOutputNorm, type LinearOutputNorm, outputNormAttrs } from './output-norm.js';

/** Name of the op that normalizes linear attention's output per position. */
export const LINEAR_OUTPUT_NORM_OP = 'linearAttention.outputNorm';

/** Axes of `[B, H, N, d_v]` one norm spans. */
const axesOf = (across: 'heads' | 'head') => (across === 'heads' ? [1, 3] : [3]);

function inferOutputNorm(inputs: readonly TensorType[], attrs: Attrs): TensorType {
  const norm = decodeOutputNorm(attrs);
  const x = inputs[0];
  if (inputs.length !== 1 || x === undefined)
    throw new ShapeError(`linear attention "${norm.block}": the output norm takes one operand`, {
      block: norm.block,
      expected: '1 operand',
      actual: inputs.length,
    });
  if (x.dtype !== 'f32')
    throw new DTypeError(`linear attention "${norm.block}": the normalized output must be f32`, {
      block: norm.block,
      tensor: 'output',
      expected: 'f32',
      actual: x.dtype,
    });
  if (x.shape.length !== 4 || (typeof attrs.heads === 'number' && !dimsEqual(x.shape[1]!, attrs.heads)))
    throw new ShapeError(`linear attention "${norm.block}": the normalized output must be [B, H, N, d_v]`, {
      block: norm.block,
      tensor: 'output',
      expected: `rank 4 with ${String(attrs.heads)} heads`,
      actual: `[${x.shape.join(', ')}]`,
    });
  return x;
}

/**
 * Float64 definition: for each position (and each head, with `across: 'head'`), the entries x
 * of the span become (x − μ)/√(σ² + ε) (`layer`), x/√(mean(x²) + ε) or x/(√mean(x²) + ε) (`rms`).
 */
function evaluateOutputNorm(inputs: readonly Tensor64[], attrs: Attrs): Tensor64 {
  const norm = decodeOutputNorm(attrs);
  const x = inputs[0]!;
  const [batch, heads, length, width] = x.shape as [number, number, number, number];
  const out = new Float64Array(x.data.length);
  const spans = norm.across === 'heads' ? 1 : heads;
  const span = norm.across === 'heads' ? heads : 1;
  for (let b = 0; b < batch; b++)
    for (let first = 0; first < spans; first++)
      for (let n = 0; n < length; n++) {
        const at: number[] = [];
        for (let h = first; h < first + span; h++)
          for (let c = 0; c < width; c++) at.push(((b * heads + h) * length + n) * width + c);
        const mean = norm.kind === 'layer' ? at.reduce((s, i) => s + x.data[i]!, 0) / at.length : 0;
        const meanSquare = at.reduce((s, i) => s + (x.data[i]! - mean) ** 2, 0) / at.length;
        const divisor =
          norm.epsilonPlacement === 'outside'
            ? Math.sqrt(meanSquare) + norm.epsilon
            : Math.sqrt(meanSquare + norm.epsilon);
        for (const i of at) out[i] = (x.data[i]! - mean) / divisor;
      }
  return { shape: x.shape, dtype: 'f32', data: out };
}

/**
 * The `linearAttention.outputNorm` op: linear attention's output `[B, H, N, d_v]` normalized per
 * position over the merged heads (or per head), gainless (TransNormer's XNorm). One fused kernel
 * (`@weft/attention/linear-kernels`); decomposes into `@weft/norms`' RMSNorm / LayerNorm.
 */
export const linearOutputNormOp: OpDef = {
  name: LINEAR_OUTPUT_NORM_OP,
  arity: 1,
  fusion: 'opaque',
  infer: (inputs, attrs) => inferOutputNorm(inputs, attrs),
  evaluate: (inputs, attrs) => evaluateOutputNorm(inputs, attrs),
  decompose(node) {
    const norm = decodeOutputNorm(node.attrs);
    const x = node.inputs[0]!;
    const axes = axesOf(norm.across);
    const name = `${norm.block}.outputNorm`;
    if (norm.kind === 'layer') return layerNorm(x, { axes, eps: norm.epsilon, affine: false, name });
    return rmsNorm(x, { axes, eps: norm.epsilon, epsPlacement: norm.epsilonPlacement, gain: false, name });
  },
  describe(node) {
    const norm = decodeOutputNorm(node.attrs);
    return `${norm.kind}, ε ${norm.epsilon} ${norm.epsilonPlacement}, across ${norm.across}`;
  },
};

/**
 * `output` `[B, H, N, d_v]` normalized per position by `norm`: one `linearAttention.outputNorm`
 * node (one kernel after the linear-attention kernel).
 *
 * @example
 * ```ts
 * const normalized = applyOutputNorm(output, transnormerOutputNorm(), 'layers.3.attn');
 * ```
 * @throws SpecError naming the block when an option of `norm` is out of range.
 */
export function applyOutputNorm(output: Node, norm: LinearOutputNorm, block: string): Node {
  return makeNode(
    linearOutputNormOp,
    [output],
    { ...outputNormAttrs(norm, block), heads: output.shape[1] as number },
    block,
  );
}
