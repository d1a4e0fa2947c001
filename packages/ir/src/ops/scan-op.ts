import { DTypeError, SpecError } from '../errors.js';
import { compileExpr } from '../expr/evaluate-expr.js';
import type { Expr } from '../expr/expr.js';
import { applyBinary } from '../expr/scalar-functions.js';
import { exprVariables } from '../expr/substitute-expr.js';
import { type Attrs, internNode, type Node } from '../graph/node.js';
import { emptyTensor64, forEachLine, lineLayout } from '../interpret/tensor64.js';
import { normalizeAxis } from '../shape.js';
import { booleanAttr, choiceAttr, exprAttr, integerAttr, numberAttr } from './attr-readers.js';
import type { OpDef } from './op-table.js';
import { expectDType, operandContext } from './operand-checks.js';

/** Combine functions of the `scan` op; `custom` uses the `combine` Expr. */
export const SCAN_FUNCTIONS = ['sum', 'prod', 'max', 'min', 'custom'] as const;
/** A scan combine function name. */
export type ScanFunction = (typeof SCAN_FUNCTIONS)[number];

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Axis scanned along (default −1). */
  readonly axis?: number;
  /** Combine function (default `sum`); `custom` needs {@link ScanOptions.combine}. */
  readonly fn?: ScanFunction;
  /** Associative combine over variables `a` (running value) and `b` (next element), of the input's dtype. */
  readonly combine?: Expr;
  /** Identity of the combine; required for an exclusive custom scan. */
  readonly identity?: number;
  /** Output `j` combines elements before `j` only, starting from the identity (default false). */
  readonly exclusive?: boolean;
  /** Scan from the end of the axis backwards (default false). */
  readonly reverse?: boolean;
}

/**
 * Cumulative scan along an axis: `out[j] = x[0] ⊕ x[1] ⊕ … ⊕ x[j]` (inclusive), with `⊕` one of
 * sum/prod/max/min or a custom associative Expr over `a` and `b`.
 *
 * @example
 * ```ts
 * const running = scan(input('x', [4, 16]), { fn: 'max' }); // running maximum along the last axis
 * ```
 */
export function scan(x: Node, options: ScanOptions = {}): Node {
  const attrs: Record<string, Attrs[string]> = {
    axis: normalizeAxis(options.axis ?? -1, x.rank, { tensor: 'scan operand 0' }),
    fn: options.fn ?? (options.combine === undefined ? 'sum' : 'custom'),
    exclusive: options.exclusive ?? false,
    reverse: options.reverse ?? false,
  };
  if (options.combine !== undefined) attrs.combine = options.combine;
  if (options.identity !== undefined) attrs.identity = options.identity;
  return internNode(scanOp, [x], attrs);
}

/**
 * Cumulative sum along `axis` (ONNX `CumSum`, NumPy `cumsum`).
 *
 * @example
 * ```ts
 * const y = cumsum(input('x', [4, 16])); // along the last axis
 * const before = cumsum(input('x', [4, 16]), -1, { exclusive: true });
 * ```
 */
export function cumsum(x: Node, axis = -1, options: { exclusive?: boolean; reverse?: boolean } = {}): Node {
  return scan(x, { axis, fn: 'sum', ...options });
}

const IDENTITIES: Record<Exclude<ScanFunction, 'custom'>, number> = {
  sum: 0,
  prod: 1,
  max: -Infinity,
  min: Infinity,
};
const BUILTIN_COMBINE = { sum: 'add', prod: 'mul', max: 'max', min: 'min' } as const;

/** `scan`: `{ axis, fn, combine?, identity?, exclusive, reverse }`, a cumulative scan. */
export const scanOp: OpDef = {
  name: 'scan',
  arity: 1,
  fusion: 'opaque',
  infer([x], attrs, context) {
    normalizeAxis(integerAttr(attrs, 'axis', context), x!.shape.length, operandContext(context, 0));
    const fn = choiceAttr(attrs, 'fn', SCAN_FUNCTIONS, context);
    expectDType(x!, 0, ['f32', 'f16', 'i32', 'u32'], context);
    const exclusive = booleanAttr(attrs, 'exclusive', context);
    booleanAttr(attrs, 'reverse', context);
    if (attrs.identity !== undefined) numberAttr(attrs, 'identity', context);
    if (fn === 'custom') {
      const combine = exprAttr(attrs, 'combine', context);
      for (const [name, variable] of exprVariables(combine)) {
        if ((name !== 'a' && name !== 'b') || variable.dtype !== x!.dtype) {
          throw new DTypeError('scan combine may only use variables a and b of the input dtype', {
            ...operandContext(context, 0),
            expected: `a, b: ${x!.dtype}`,
            actual: `${name}: ${variable.dtype}`,
          });
        }
      }
      if (exclusive && attrs.identity === undefined) {
        throw new SpecError('an exclusive custom scan needs an identity', {
          tensor: 'scan',
          expected: 'identity',
        });
      }
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  evaluatesF32: true,
  evaluate([x], attrs, node, env) {
    const axis = normalizeAxis(attrs.axis as number, x!.shape.length);
    const fn = attrs.fn as ScanFunction;
    const combine = combineFunction(node, env.precision === 'f32');
    const identity =
      (attrs.identity as number | undefined) ?? (fn === 'custom' ? Number.NaN : IDENTITIES[fn]);
    const result = emptyTensor64(x!.shape, node.dtype);
    const length = x!.shape[axis]!;
    forEachLine(lineLayout(x!.shape, axis), (start, stride) => {
      let running = identity;
      for (let step = 0; step < length; step++) {
        const offset = start + (attrs.reverse ? length - 1 - step : step) * stride;
        const value = x!.data[offset]!;
        if (attrs.exclusive) result.data[offset] = running;
        running = step === 0 && !attrs.exclusive ? value : combine(running, value);
        if (!attrs.exclusive) result.data[offset] = running;
      }
    });
    return result;
  },
};

function combineFunction(node: Node, f32: boolean): (a: number, b: number) => number {
  const fn = node.attrs.fn as ScanFunction;
  if (fn !== 'custom') {
    const round = f32 && (node.dtype === 'f32' || node.dtype === 'f16');
    return round
      ? (a, b) => Math.fround(applyBinary(BUILTIN_COMBINE[fn], a, b, node.dtype))
      : (a, b) => applyBinary(BUILTIN_COMBINE[fn], a, b, node.dtype);
  }
  const compiled = compileExpr(node.attrs.combine as Expr, { precision: f32 ? 'f32' : 'f64' });
  const variables = { a: 0, b: 0 };
  const env = { variables };
  return (a, b) => {
    variables.a = a;
    variables.b = b;
    return compiled(env);
  };
}
