import { type Dim, isSymbolic } from '../dim.js';
import { ShapeError } from '../errors.js';
import { binary, type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { integersAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { addIndex, divIndex, indexConstant, modIndex, mulIndex, subIndex } from './index-math.js';
import type { OpContext, OpDef, PlacedIndex } from './op-table.js';
import { operandContext } from './operand-checks.js';

/** An `end` that means "to the end of the axis" whatever its size. */
export const SLICE_END = Number.MAX_SAFE_INTEGER;

/**
 * Python-style slicing per axis: `x[starts[0]:ends[0]:steps[0], ...]`; negative starts/ends count
 * from the end, out-of-range bounds clamp, negative steps walk backwards. Arrays shorter than the
 * rank leave the remaining axes whole. A symbolic axis can only be kept whole.
 *
 * @example
 * ```ts
 * const y = slice(input('x', [4, 16]), [0, 4], [4, 12]); // [4, 8]
 * const evens = slice(input('x', [4, 16]), [0, 0], [4, 16], [1, 2]); // [4, 8]
 * ```
 */
export function slice(
  x: Node,
  starts: readonly number[],
  ends: readonly number[],
  steps: readonly number[] = [],
): Node {
  const axes = x.shape.map((_, axis) => axis);
  return internNode(sliceOp, [x], {
    starts: axes.map((axis) => starts[axis] ?? 0),
    ends: axes.map((axis) => ends[axis] ?? SLICE_END),
    steps: axes.map((axis) => steps[axis] ?? 1),
  });
}

/**
 * The first source index and element count of a slice of an axis of size `size` (Python `slice.indices`).
 *
 * @example
 * ```ts
 * sliceRange(16, -4, 16, 1); // { start: 12, length: 4 }
 * ```
 */
export function sliceRange(
  size: number,
  start: number,
  end: number,
  step: number,
): { start: number; length: number } {
  const normalize = (value: number, low: number, high: number): number =>
    Math.min(Math.max(value < 0 ? value + size : value, low), high);
  if (step > 0) {
    const first = normalize(start, 0, size);
    return { start: first, length: Math.max(0, Math.ceil((normalize(end, 0, size) - first) / step)) };
  }
  const first = normalize(start, -1, size - 1);
  return { start: first, length: Math.max(0, Math.ceil((normalize(end, -1, size - 1) - first) / step)) };
}

const lowerSlice = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const source = node.inputs[0]!;
  const { starts, ends, steps } = node.attrs as { starts: number[]; ends: number[]; steps: number[] };
  const index = source.shape.map((dim, axis) => {
    if (isSymbolic(dim)) return outputIndex[axis]!;
    const { start } = sliceRange(dim, starts[axis]!, ends[axis]!, steps[axis]!);
    return addIndex(indexConstant(start), mulIndex(outputIndex[axis]!, indexConstant(steps[axis]!)));
  });
  return read('$0', index, source.dtype);
};

// Operand element i of a sliced axis lands at (i − start) / step when it is one of the
// slice's elements; negative steps are left to a kernel of their own.
const placeSlice = (node: Node, operandIndex: readonly Expr[]): PlacedIndex | undefined => {
  const source = node.inputs[0]!;
  const { starts, ends, steps } = node.attrs as { starts: number[]; ends: number[]; steps: number[] };
  if (steps.some((step) => step < 0)) return undefined;
  let inside: Expr | undefined;
  const index = source.shape.map((dim, axis) => {
    const position = operandIndex[axis]!;
    if (isSymbolic(dim)) return position;
    const { start, length } = sliceRange(dim, starts[axis]!, ends[axis]!, steps[axis]!);
    if (start === 0 && length === dim) return position;
    const offset = subIndex(position, indexConstant(start));
    const tests = [
      binary('ge', position, indexConstant(start)),
      binary('lt', position, indexConstant(start + (length - 1) * steps[axis]! + 1)),
      ...(steps[axis] === 1
        ? []
        : [binary('eq', modIndex(offset, indexConstant(steps[axis]!)), indexConstant(0))]),
    ];
    for (const test of tests) inside = inside === undefined ? test : binary('and', inside, test);
    return divIndex(offset, indexConstant(steps[axis]!));
  });
  return inside === undefined ? { index } : { index, inside };
};

/** `slice`: `{ starts, ends, steps }`, one entry per axis. */
export const sliceOp: OpDef = {
  name: 'slice',
  arity: 1,
  fusion: 'injective',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const rank = x!.shape.length;
    const starts = integersAttr(attrs, 'starts', context, rank);
    const ends = integersAttr(attrs, 'ends', context, rank);
    const steps = integersAttr(attrs, 'steps', context, rank);
    const shape = x!.shape.map((dim, axis) =>
      slicedDim(dim, axis, starts[axis]!, ends[axis]!, steps[axis]!, context),
    );
    return { shape, dtype: x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerSlice),
  lowerElement: lowerSlice,
  placeElement: placeSlice,
};

function slicedDim(
  dim: Dim,
  axis: number,
  start: number,
  end: number,
  step: number,
  context: OpContext,
): Dim {
  const where = operandContext(context, 0, axis);
  if (step === 0)
    throw new ShapeError('slice step cannot be 0', { ...where, expected: 'a non-zero step', actual: 0 });
  if (isSymbolic(dim)) {
    if (start === 0 && end >= dim.max && step === 1) return dim;
    throw new ShapeError('a symbolic axis can only be sliced whole', {
      ...where,
      expected: `start 0, end >= ${dim.max}, step 1`,
      actual: { start, end, step },
    });
  }
  const { length } = sliceRange(dim, start, end, step);
  if (length === 0) {
    throw new ShapeError('slice is empty', {
      ...where,
      expected: 'at least one element',
      actual: { start, end, step },
    });
  }
  return length;
}
