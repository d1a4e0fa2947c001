import { SpecError } from '../errors.js';
import { BINARY_FUNCTIONS, type BinaryFunction, binary, type Expr, read } from '../expr/expr.js';
import { isComparison } from '../expr/scalar-functions.js';
import { internNode, type Node } from '../graph/node.js';
import { broadcastShapes } from '../shape.js';
import { choiceAttr } from './attr-readers.js';
import { evaluateByLowering } from './evaluate-lowered.js';
import { broadcastIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { expectDType, expectSameDType, operandContext } from './operand-checks.js';
import { full } from './source-ops.js';

/** An operand of a binary builder: a node, or a number that becomes a scalar of the other side's dtype. */
export type Operand = Node | number;

/** `a + b`, broadcasting. */
export const add = (a: Operand, b: Operand): Node => elementwiseBinary('add', a, b);
/** `a − b`, broadcasting. */
export const sub = (a: Operand, b: Operand): Node => elementwiseBinary('sub', a, b);
/** `a · b`, broadcasting. */
export const mul = (a: Operand, b: Operand): Node => elementwiseBinary('mul', a, b);
/** `a / b` (integers: truncating, WGSL rules). */
export const div = (a: Operand, b: Operand): Node => elementwiseBinary('div', a, b);
/** Truncated remainder `a − b · trunc(a / b)` (sign of `a`, as WGSL `%` and C `fmod`). */
export const mod = (a: Operand, b: Operand): Node => elementwiseBinary('mod', a, b);
/** `a^b`. */
export const pow = (a: Operand, b: Operand): Node => elementwiseBinary('pow', a, b);
/** Elementwise minimum. */
export const minimum = (a: Operand, b: Operand): Node => elementwiseBinary('min', a, b);
/** Elementwise maximum. */
export const maximum = (a: Operand, b: Operand): Node => elementwiseBinary('max', a, b);
/** `a < b` (bool). */
export const less = (a: Operand, b: Operand): Node => elementwiseBinary('lt', a, b);
/** `a ≤ b` (bool). */
export const lessEqual = (a: Operand, b: Operand): Node => elementwiseBinary('le', a, b);
/** `a > b` (bool). */
export const greater = (a: Operand, b: Operand): Node => elementwiseBinary('gt', a, b);
/** `a ≥ b` (bool). */
export const greaterEqual = (a: Operand, b: Operand): Node => elementwiseBinary('ge', a, b);
/** `a == b` (bool). */
export const equal = (a: Operand, b: Operand): Node => elementwiseBinary('eq', a, b);
/** `a != b` (bool). */
export const notEqual = (a: Operand, b: Operand): Node => elementwiseBinary('ne', a, b);
/** Logical and of bool tensors. */
export const logicalAnd = (a: Operand, b: Operand): Node => elementwiseBinary('and', a, b);
/** Logical or of bool tensors. */
export const logicalOr = (a: Operand, b: Operand): Node => elementwiseBinary('or', a, b);

/**
 * Applies any binary Expr function with NumPy broadcasting. A number operand becomes a scalar
 * constant of the other operand's dtype; operands must otherwise share a dtype (no promotion).
 *
 * @example
 * ```ts
 * const y = elementwiseBinary('mul', input('x', [4, 8]), 0.5);
 * ```
 */
export function elementwiseBinary(fn: BinaryFunction, a: Operand, b: Operand): Node {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new SpecError(`binary ${fn} needs at least one tensor operand`, {
      expected: 'a Node',
      actual: [a, b],
    });
  }
  const left = typeof a === 'number' ? full(a, [], (b as Node).dtype) : a;
  const right = typeof b === 'number' ? full(b, [], left.dtype) : b;
  return internNode(binaryOp, [left, right], { fn });
}

const LOGIC: ReadonlySet<BinaryFunction> = new Set(['and', 'or']);

const lowerBinary = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const [a, b] = node.inputs as [Node, Node];
  return binary(
    node.attrs.fn as BinaryFunction,
    read('$0', broadcastIndex(a.shape, node.shape, outputIndex), a.dtype),
    read('$1', broadcastIndex(b.shape, node.shape, outputIndex), b.dtype),
  );
};

/** `binary`: `{ fn }` with NumPy broadcasting; comparisons and logic give `bool`. */
export const binaryOp: OpDef = {
  name: 'binary',
  arity: 2,
  fusion: 'elementwise',
  evaluatesF32: true,
  infer(inputs, attrs, context) {
    const fn = choiceAttr(attrs, 'fn', BINARY_FUNCTIONS, context);
    const named = { ...context, op: `binary ${fn}` };
    const allowed = LOGIC.has(fn)
      ? (['bool'] as const)
      : fn === 'pow'
        ? (['f32', 'f16'] as const)
        : fn === 'eq' || fn === 'ne'
          ? (['f32', 'f16', 'i32', 'u32', 'bool'] as const)
          : (['f32', 'f16', 'i32', 'u32'] as const);
    for (const [index, operand] of inputs.entries()) expectDType(operand, index, allowed, named);
    expectSameDType(inputs, named);
    const shape = broadcastShapes(
      inputs.map((operand) => operand.shape),
      operandContext(named, 1),
    );
    return { shape, dtype: isComparison(fn) ? 'bool' : inputs[0]!.dtype };
  },
  evaluate: (inputs, _attrs, node, env) => evaluateByLowering(node, inputs, env, lowerBinary),
  lowerElement: lowerBinary,
};
