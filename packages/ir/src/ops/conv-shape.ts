import { type Dim, formatDim, isSymbolic } from '../dim.js';
import { ShapeError } from '../errors.js';
import type { TensorType } from '../graph/node.js';
import type { OpContext } from './op-table.js';
import { expectDType, expectRank, expectSameDType, operandContext, staticDim } from './operand-checks.js';

/** Per-spatial-axis geometry of a convolution. */
export interface ConvGeometry {
  /** Step between output positions, per spatial axis. */
  readonly stride: readonly number[];
  /** Zero padding before each spatial axis. */
  readonly padBefore: readonly number[];
  /** Zero padding after each spatial axis. */
  readonly padAfter: readonly number[];
  /** Spacing between kernel taps, per spatial axis. */
  readonly dilation: readonly number[];
  /** Channel groups: input and output channels split into `groups` independent convolutions. */
  readonly groups: number;
}

/**
 * Shape rule shared by `conv1d` and `conv2d`: input `[B, Cin, ...spatial]`, weight
 * `[Cout, Cin/groups, ...kernel]`, optional bias `[Cout]`; output `[B, Cout, ...out]` with
 * `out = floor((size + before + after − dilation·(kernel − 1) − 1) / stride) + 1`.
 * A symbolic spatial dim is kept when the convolution preserves length (stride 1 and
 * `before + after = dilation·(kernel − 1)`, e.g. causal padding).
 */
export function inferConv(
  inputs: readonly TensorType[],
  geometry: ConvGeometry,
  context: OpContext,
): TensorType {
  const spatialRank = geometry.stride.length;
  if (inputs.length !== 2 && inputs.length !== 3) {
    throw new ShapeError(`op "${context.op}" takes (input, weight) or (input, weight, bias)`, {
      ...(context.block === undefined ? {} : { block: context.block }),
      expected: '2 or 3 operands',
      actual: inputs.length,
    });
  }
  const [x, weight, bias] = inputs as [TensorType, TensorType, TensorType | undefined];
  expectRank(x, 0, spatialRank + 2, context);
  expectRank(weight, 1, spatialRank + 2, context);
  expectDType(x, 0, ['f32', 'f16'], context);
  expectSameDType(inputs, context);
  const numbers = [...geometry.stride, ...geometry.dilation, geometry.groups];
  const paddings = [...geometry.padBefore, ...geometry.padAfter];
  if (
    !numbers.every((value) => Number.isInteger(value) && value >= 1) ||
    !paddings.every((p) => Number.isInteger(p) && p >= 0)
  ) {
    throw new ShapeError('convolution stride, dilation and groups must be >= 1, padding >= 0', {
      ...operandContext(context, 0),
      actual: geometry,
    });
  }
  const inputChannels = staticDim(x.shape[1]!, 0, 1, context);
  const outputChannels = staticDim(weight.shape[0]!, 1, 0, context);
  const groups = geometry.groups;
  expectDivisible(inputChannels, groups, 0, 1, context, 'input channels');
  expectDivisible(outputChannels, groups, 1, 0, context, 'output channels');
  if (staticDim(weight.shape[1]!, 1, 1, context) !== inputChannels / groups) {
    throw new ShapeError('weight channels must be input channels / groups', {
      ...operandContext(context, 1, 1),
      expected: inputChannels / groups,
      actual: weight.shape[1],
    });
  }
  if (bias !== undefined) {
    expectRank(bias, 2, 1, context);
    if (bias.shape[0] !== outputChannels) {
      throw new ShapeError('bias size must be the output channels', {
        ...operandContext(context, 2, 0),
        expected: outputChannels,
        actual: formatDim(bias.shape[0]!),
      });
    }
  }
  const spatial = Array.from({ length: spatialRank }, (_, s) => {
    const kernel = staticDim(weight.shape[s + 2]!, 1, s + 2, context);
    return outputSize(x.shape[s + 2]!, kernel, s, geometry, context);
  });
  return { shape: [x.shape[0]!, outputChannels, ...spatial], dtype: x.dtype };
}

function outputSize(size: Dim, kernel: number, s: number, geometry: ConvGeometry, context: OpContext): Dim {
  const stride = geometry.stride[s]!;
  const span = geometry.dilation[s]! * (kernel - 1);
  const padding = geometry.padBefore[s]! + geometry.padAfter[s]!;
  if (isSymbolic(size)) {
    if (stride === 1 && padding === span) return size;
    throw new ShapeError('a convolution over a symbolic axis must preserve its length', {
      ...operandContext(context, 0, s + 2),
      expected: `stride 1 and padding ${span} in total`,
      actual: { stride, padding },
    });
  }
  const out = Math.floor((size + padding - span - 1) / stride) + 1;
  if (out < 1) {
    throw new ShapeError('convolution output is empty', {
      ...operandContext(context, 0, s + 2),
      expected: `padded size >= ${span + 1}`,
      actual: size + padding,
    });
  }
  return out;
}

function expectDivisible(
  count: number,
  groups: number,
  operand: number,
  axis: number,
  context: OpContext,
  what: string,
): void {
  if (count % groups !== 0) {
    throw new ShapeError(`groups must divide the ${what}`, {
      ...operandContext(context, operand, axis),
      expected: `a multiple of ${groups}`,
      actual: count,
    });
  }
}
