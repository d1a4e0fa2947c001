import { DTYPES, type DType } from '../dtype.js';
import { SpecError } from '../errors.js';
import { isComparison } from './scalar-functions.js';

/** Unary scalar functions of the Expr language. Reference semantics live in `evaluate-expr.ts`. */
export const UNARY_FUNCTIONS = [
  'neg',
  'abs',
  'sign',
  'floor',
  'ceil',
  'round',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'recip',
  'sin',
  'cos',
  'tanh',
  'erf',
  'sigmoid',
  'softplus',
  'relu',
  'gelu',
  'geluTanh',
  'silu',
  'not',
  'isNan',
] as const;
/** A unary scalar function name. */
export type UnaryFunction = (typeof UNARY_FUNCTIONS)[number];

/** Binary scalar functions and operators of the Expr language. */
export const BINARY_FUNCTIONS = [
  'add',
  'sub',
  'mul',
  'div',
  'mod',
  'pow',
  'min',
  'max',
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
  'and',
  'or',
] as const;
/** A binary scalar function name. */
export type BinaryFunction = (typeof BINARY_FUNCTIONS)[number];

/** Kinds of Expr node. */
export type ExprKind = 'const' | 'var' | 'read' | 'unary' | 'binary' | 'select' | 'cast';

/** What can stand where an Expr is expected: an Expr, or a JS number (an f32 literal). */
export type ExprLike = Expr | number;

/**
 * A node of Weft's scalar expression language: the one language for every code hole
 * (elementwise bodies, matmul prologues and epilogues, attention score and mask mods, feature maps).
 *
 * Nodes are immutable and hash-consed: structurally equal expressions are the same object,
 * so a code generator can detect multi-use subexpressions by identity.
 *
 * @example
 * ```ts
 * const score = variable('score');
 * const h = variable('h', 'u32');
 * const slope = tensorRef('slope', [8]);
 * const biased = score.add(slope.at(h).mul(variable('k', 'i32').sub(variable('q', 'i32')).cast('f32')));
 * ```
 */
export class Expr {
  /** Structural key; equal keys mean the same object. */
  readonly key: string;

  /** @internal Use the factory functions ({@link constant}, {@link variable}, ...). */
  constructor(
    /** Node kind. */
    readonly kind: ExprKind,
    /** Result dtype. */
    readonly dtype: DType,
    /** Operands, in order. For `read` they are the index expressions. */
    readonly args: readonly Expr[],
    /**
     * Kind-specific payload: the literal value (`const`), the variable or tensor name (`var`, `read`),
     * the function name (`unary`, `binary`); empty for `select` and `cast`.
     */
    readonly payload: string | number,
    key: string,
  ) {
    this.key = key;
  }

  /** `this + other`. */
  add(other: ExprLike): Expr {
    return binary('add', this, other);
  }
  /** `this − other`. */
  sub(other: ExprLike): Expr {
    return binary('sub', this, other);
  }
  /** `this × other`. */
  mul(other: ExprLike): Expr {
    return binary('mul', this, other);
  }
  /** `this / other` (integer division truncates, as in WGSL). */
  div(other: ExprLike): Expr {
    return binary('div', this, other);
  }
  /** `this % other` (truncated remainder, as in WGSL). */
  mod(other: ExprLike): Expr {
    return binary('mod', this, other);
  }
  /** `this ^ other`. */
  pow(other: ExprLike): Expr {
    return binary('pow', this, other);
  }
  /** The smaller of `this` and `other`. */
  min(other: ExprLike): Expr {
    return binary('min', this, other);
  }
  /** The larger of `this` and `other`. */
  max(other: ExprLike): Expr {
    return binary('max', this, other);
  }
  /** `this < other` (bool). */
  lt(other: ExprLike): Expr {
    return binary('lt', this, other);
  }
  /** `this ≤ other` (bool). */
  le(other: ExprLike): Expr {
    return binary('le', this, other);
  }
  /** `this > other` (bool). */
  gt(other: ExprLike): Expr {
    return binary('gt', this, other);
  }
  /** `this ≥ other` (bool). */
  ge(other: ExprLike): Expr {
    return binary('ge', this, other);
  }
  /** `this == other` (bool). */
  eq(other: ExprLike): Expr {
    return binary('eq', this, other);
  }
  /** `this != other` (bool). */
  ne(other: ExprLike): Expr {
    return binary('ne', this, other);
  }
  /** Logical and of two bools. */
  and(other: ExprLike): Expr {
    return binary('and', this, other);
  }
  /** Logical or of two bools. */
  or(other: ExprLike): Expr {
    return binary('or', this, other);
  }
  /** `−this`. */
  neg(): Expr {
    return unary('neg', this);
  }
  /** Logical not of a bool. */
  not(): Expr {
    return unary('not', this);
  }
  /** Applies a unary function: `x.apply('exp')`. */
  apply(fn: UnaryFunction): Expr {
    return unary(fn, this);
  }
  /** Converts to `dtype` (truncation toward zero for float → integer). */
  cast(dtype: DType): Expr {
    return cast(this, dtype);
  }
  /** `cond.select(a, b)` is `a` where `this` is true, else `b`. */
  select(ifTrue: ExprLike, ifFalse: ExprLike): Expr {
    return select(this, ifTrue, ifFalse);
  }
  /** The structural key, for debugging (`formatExpr` prints readable infix text). */
  toString(): string {
    return this.key;
  }
}

const interned = new Map<string, WeakRef<Expr>>();
const registry = new FinalizationRegistry<string>((key) => {
  const ref = interned.get(key);
  if (ref !== undefined && ref.deref() === undefined) interned.delete(key);
});

function intern(
  kind: ExprKind,
  dtype: DType,
  args: readonly Expr[],
  payload: string | number,
  key: string,
): Expr {
  const existing = interned.get(key)?.deref();
  if (existing !== undefined) return existing;
  const expr = new Expr(kind, dtype, Object.freeze([...args]), payload, key);
  interned.set(key, new WeakRef(expr));
  registry.register(expr, key);
  return expr;
}

/** Lifts a number to an f32 literal; passes Exprs through. */
export function toExpr(value: ExprLike): Expr {
  return typeof value === 'number' ? constant(value) : value;
}

/** A literal of the given dtype (default `f32`). */
export function constant(value: number, dtype: DType = 'f32'): Expr {
  const literal = Object.is(value, -0) ? '-0' : String(value);
  return intern('const', dtype, [], value, `${literal}:${dtype}`);
}

/**
 * A named scalar variable: an index variable (`b`, `h`, `q`, `k`, `i0`...) or a hole's input
 * (`score`, `x`). Its value is supplied by whoever evaluates or generates code for the expression.
 */
export function variable(name: string, dtype: DType = 'f32'): Expr {
  return intern('var', dtype, [], name, `${name}:${dtype}`);
}

/** Reads element `index` (one Expr per axis) of captured tensor `tensor`. */
export function read(tensor: string, index: readonly ExprLike[], dtype: DType = 'f32'): Expr {
  const args = index.map(toExpr);
  return intern('read', dtype, args, tensor, `${tensor}[${args.map((a) => a.key).join(', ')}]:${dtype}`);
}

/** Applies a unary function. Result dtype: `bool` for `not`/`isNan`, else the operand's. */
export function unary(fn: UnaryFunction, operand: ExprLike): Expr {
  const a = toExpr(operand);
  const dtype: DType = fn === 'not' || fn === 'isNan' ? 'bool' : a.dtype;
  return intern('unary', dtype, [a], fn, `${fn}(${a.key})`);
}

/**
 * Applies a binary function. Comparisons and logic give `bool`; arithmetic gives the dtype of the
 * left operand, except that a literal operand adopts the other side's dtype.
 */
export function binary(fn: BinaryFunction, left: ExprLike, right: ExprLike): Expr {
  let a = toExpr(left);
  let b = toExpr(right);
  if (typeof left === 'number' && typeof right !== 'number') a = constant(left, b.dtype);
  if (typeof right === 'number' && typeof left !== 'number') b = constant(right, a.dtype);
  const dtype: DType = isComparison(fn) ? 'bool' : a.dtype;
  return intern('binary', dtype, [a, b], fn, `${fn}(${a.key}, ${b.key})`);
}

/** `condition ? ifTrue : ifFalse`, elementwise. */
export function select(condition: ExprLike, ifTrue: ExprLike, ifFalse: ExprLike): Expr {
  const c = toExpr(condition);
  let t = toExpr(ifTrue);
  let f = toExpr(ifFalse);
  if (typeof ifTrue === 'number' && typeof ifFalse !== 'number') t = constant(ifTrue, f.dtype);
  if (typeof ifFalse === 'number' && typeof ifTrue !== 'number') f = constant(ifFalse, t.dtype);
  return intern('select', t.dtype, [c, t, f], '', `select(${c.key}, ${t.key}, ${f.key})`);
}

/** Converts `operand` to `dtype`. A cast to the same dtype returns the operand. */
export function cast(operand: ExprLike, dtype: DType): Expr {
  const a = toExpr(operand);
  if (a.dtype === dtype) return a;
  return intern('cast', dtype, [a], '', `${dtype}(${a.key})`);
}

/**
 * A tensor captured by an expression (a per-head slope vector, a bias table, a segment-id tensor).
 * `at(...)` builds reads of it; the code generator binds it as a buffer, the reference as an array.
 */
export interface TensorRef {
  /** Name under which the tensor is bound. */
  readonly name: string;
  /** Its static shape. */
  readonly shape: readonly number[];
  /** Its element dtype. */
  readonly dtype: DType;
  /** An Expr reading the element at `index` (one index per axis). */
  at(...index: ExprLike[]): Expr;
}

const declaredShapes = new WeakMap<Expr, readonly number[]>();

/**
 * Declares a captured tensor for use inside expressions.
 *
 * @example
 * ```ts
 * import { attention, scoreMod } from '@weft/attention';
 *
 * const slopes = tensorRef('slopes', [8]); // becomes an input of the graph that applies the spec
 * attention({ heads: 8, headDim: 64, score: scoreMod((score, { h }) => score.mul(slopes.at(h))) });
 * ```
 */
export function tensorRef(name: string, shape: readonly number[], dtype: DType = 'f32'): TensorRef {
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`tensorRef: the name must be a non-empty string`, {
      actual: typeName(name),
    });
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0))
    throw new SpecError(`tensorRef "${name}": the shape must be an array of integers >= 0`, {
      tensor: name,
      actual: Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : typeName(shape),
    });
  if (!DTYPES.includes(dtype))
    throw new SpecError(`tensorRef "${name}": unknown dtype`, {
      tensor: name,
      expected: DTYPES.join(' | '),
      actual: typeof dtype === 'string' ? dtype : typeName(dtype),
    });
  const frozen = Object.freeze([...shape]);
  return Object.freeze({
    name,
    shape: frozen,
    dtype,
    at: (...index: ExprLike[]) => {
      const expr = read(name, index, dtype);
      declaredShapes.set(expr, frozen);
      return expr;
    },
  });
}

/**
 * The shape declared by the {@link tensorRef} whose `at` built this `read` Expr, when known (not
 * after a JSON round trip): lets an op check that the tensor bound to the name has that shape.
 */
export function declaredReadShape(expr: Expr): readonly number[] | undefined {
  return declaredShapes.get(expr);
}

/** A value's type for messages: `null`, `an array`, `number 7`, ... */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
