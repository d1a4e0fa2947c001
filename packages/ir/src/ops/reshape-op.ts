import { type Dim, formatDim, isSymbolic } from '../dim.js';
import { ShapeError } from '../errors.js';
import { type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { formatShape, type Shape, shapesEqual } from '../shape.js';
import { dimsAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { flatIndex, unflattenIndex } from './index-math.js';
import type { OpDef, PlacedIndex } from './op-table.js';
import { operandContext } from './operand-checks.js';

/**
 * Row-major reshape. One entry of `shape` may be `-1`, inferred from the element count.
 * Symbolic dims must appear on both sides (the counts must agree for every binding).
 *
 * @example
 * ```ts
 * const y = reshape(input('x', [2, 3, 4]), [2, -1]); // [2, 12]
 * ```
 */
export function reshape(x: Node, shape: readonly (Dim | -1)[]): Node {
  return internNode(reshapeOp, [x], { shape: inferWildcard(x.shape, shape) });
}

const lowerReshape = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const source = node.inputs[0]!;
  const index = shapesEqual(source.shape, node.shape)
    ? outputIndex
    : unflattenIndex(flatIndex(outputIndex, node.shape), source.shape);
  return read('$0', index, source.dtype);
};

// Row-major order is kept: the operand's flat offset is the output's.
const placeReshape = (node: Node, operandIndex: readonly Expr[]): PlacedIndex => {
  const source = node.inputs[0]!;
  return {
    index: shapesEqual(source.shape, node.shape)
      ? operandIndex
      : unflattenIndex(flatIndex(operandIndex, source.shape), node.shape),
  };
};

/** `reshape`: `{ shape }`, row-major; the element count must match. */
export const reshapeOp: OpDef = {
  name: 'reshape',
  arity: 1,
  fusion: 'injective',
  evaluatesF32: true,
  infer([x], attrs, context) {
    const shape = dimsAttr(attrs, 'shape', context);
    if (countKey(x!.shape) !== countKey(shape)) {
      throw new ShapeError('reshape changes the element count', {
        ...operandContext(context, 0),
        expected: `a shape with the element count of ${formatShape(x!.shape)}`,
        actual: formatShape(shape),
      });
    }
    return { shape, dtype: x!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerReshape),
  lowerElement: lowerReshape,
  placeElement: placeReshape,
};

/** Element count as text: static product times the sorted symbolic factors. */
function countKey(shape: Shape): string {
  const symbolic = shape.filter(isSymbolic).map(formatDim).sort();
  const product = shape.reduce<number>((count, dim) => (isSymbolic(dim) ? count : count * dim), 1);
  return [String(product), ...symbolic].join('*');
}

function inferWildcard(source: Shape, shape: readonly (Dim | -1)[]): Dim[] {
  const wildcards = shape.filter((dim) => dim === -1).length;
  if (wildcards === 0) return shape as Dim[];
  const staticProduct = (dims: readonly (Dim | -1)[]): number =>
    dims.reduce<number>((count, dim) => (typeof dim === 'number' && dim !== -1 ? count * dim : count), 1);
  const known = staticProduct(shape);
  const inferred = staticProduct(source) / known;
  if (wildcards > 1 || !Number.isInteger(inferred) || inferred < 1) {
    throw new ShapeError('reshape cannot infer its -1 dim', {
      tensor: 'reshape operand 0',
      expected: `at most one -1 dividing ${formatShape(source)}`,
      actual: `[${shape.map((dim) => (dim === -1 ? '-1' : formatDim(dim))).join(', ')}]`,
    });
  }
  return shape.map((dim) => (dim === -1 ? inferred : dim));
}
