import { type Dim, isSymbolic } from '../dim.js';
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, type WeftErrorContext } from '../errors.js';
import type { TensorType } from '../graph/node.js';
import type { OpContext } from './op-table.js';

/** Error context naming operand `index` of the op being built: `tensor "matmul operand 1"`. */
export function operandContext(
  context: OpContext,
  index: number,
  dimension?: number | string,
): WeftErrorContext {
  return {
    ...(context.block === undefined ? {} : { block: context.block }),
    tensor: `${context.op} operand ${index}`,
    ...(dimension === undefined ? {} : { dimension }),
  };
}

/** Throws a DTypeError unless operand `index` has one of `allowed`. */
export function expectDType(
  input: TensorType,
  index: number,
  allowed: readonly DType[],
  context: OpContext,
): void {
  if (!allowed.includes(input.dtype)) {
    throw new DTypeError(`op "${context.op}" does not accept this dtype`, {
      ...operandContext(context, index),
      expected: allowed.join(' | '),
      actual: input.dtype,
    });
  }
}

/** Throws a DTypeError unless operand `index` is floating point. */
export function expectFloat(input: TensorType, index: number, context: OpContext): void {
  if (!isFloat(input.dtype)) expectDType(input, index, ['f32', 'f16'], context);
}

/** Throws a DTypeError unless every operand has the dtype of the first. */
export function expectSameDType(inputs: readonly TensorType[], context: OpContext, first = 0): void {
  const reference = inputs[first]!.dtype;
  inputs.forEach((input, index) => {
    if (index >= first && input.dtype !== reference) {
      throw new DTypeError(`op "${context.op}" needs operands of one dtype`, {
        ...operandContext(context, index),
        expected: reference,
        actual: input.dtype,
      });
    }
  });
}

/** Throws a ShapeError unless operand `index` has rank `rank` (or at least `rank` when `atLeast`). */
export function expectRank(
  input: TensorType,
  index: number,
  rank: number,
  context: OpContext,
  atLeast = false,
): void {
  const ok = atLeast ? input.shape.length >= rank : input.shape.length === rank;
  if (!ok) {
    throw new ShapeError(`op "${context.op}" needs another rank`, {
      ...operandContext(context, index),
      expected: atLeast ? `rank >= ${rank}` : `rank ${rank}`,
      actual: `rank ${input.shape.length}`,
    });
  }
}

/** The static size of a dim, or a ShapeError saying the op needs it static. */
export function staticDim(dim: Dim, index: number, axis: number, context: OpContext): number {
  if (!isSymbolic(dim)) return dim;
  throw new ShapeError(`op "${context.op}" needs a static size here`, {
    ...operandContext(context, index, axis),
    expected: 'a static dim',
    actual: `symbolic dim ${dim.name}<=${dim.max}`,
  });
}
