import { binary, constant, type Expr } from './expr.js';
import { rebuildExpr } from './substitute-expr.js';

/**
 * The one simplifier of `Expr` index arithmetic: every index the code generators print (flat
 * offsets, reshape and slice maps, strides) goes through it, so what reaches the WGSL is folded.
 *
 * It rewrites `i32` and `u32` arithmetic only; float, bool and comparison nodes are rebuilt with
 * simplified operands and otherwise kept (float folding could change rounding, and `x · 0` is not 0
 * for a NaN). Rules, applied bottom-up until nothing changes:
 * - constant folding of `+ − · / % min max` on literals, with WGSL's 32-bit wrapping, truncating
 *   division and truncated remainder (division or remainder by 0 is left alone);
 * - identities: `x + 0`, `0 + x`, `x − 0`, `x · 1`, `1 · x`, `x / 1` → `x`; `x % 1` → `0`;
 *   `x · 0`, `0 · x` → `0` (an Expr has no side effects: a read is a load, and dropping it is safe);
 * - nested literals: `(x · a) · b` → `x · (a·b)`, `(x + a) + b` → `x + (a+b)`, `(x − a) + b`,
 *   `(x + a) − b` likewise; `(x / a) / b` → `x / (a·b)` for `a, b > 0` (exact for truncation);
 *   `(x % a) % b` → `x % b` when `b` divides `a`; `max(max(x, a), b)` → `max(x, max(a, b))`, and `min`;
 * - cancelling a factor (integer index math only): `(x · a) / b` → `x · (a/b)` when `b` divides `a`
 *   (so `(x · k) / k` → `x`), `(x · a) / b` → `x / (b/a)` when `a` divides `b`, and `(x · a) % b` → `0`
 *   when `b` divides `a`, all for `a, b > 0`.
 *
 * The factor rules assume the product `x · a` does not overflow 32 bits. That holds for the indices
 * Weft generates: `x · a` is an element offset into a tensor (or a stride product of its shape), and
 * `allocateBindings` rejects tensors whose element count reaches 2³¹, so no such product wraps.
 * Do not feed the simplifier arithmetic whose intermediate products may exceed `i32` (a hash, a
 * random-number mix): use it for indices.
 */
export function simplifyExpr(expr: Expr): Expr {
  const cached = memo.get(expr);
  if (cached !== undefined) return cached;
  const args = expr.args.map(simplifyExpr);
  const rebuilt = args.every((arg, position) => arg === expr.args[position]) ? expr : rebuildExpr(expr, args);
  const result = simplifyNode(rebuilt);
  memo.set(expr, result);
  return result;
}

const memo = new WeakMap<Expr, Expr>();

/**
 * One rewrite at the root of `expr`, whose operands are already simplified; the result is
 * simplified again when a rule builds a new node (so `(x·2)·4 / 8` ends as `x`).
 */
export function simplifyNode(expr: Expr): Expr {
  if (expr.kind !== 'binary' || !isIndexType(expr.dtype)) return expr;
  const [a, b] = expr.args as [Expr, Expr];
  const fn = String(expr.payload);
  const again = (next: Expr): Expr => (next === expr ? expr : simplifyNode(next));
  if (isConst(a) && isConst(b)) {
    const folded = foldIntegers(fn, literal(a), literal(b), expr.dtype);
    if (folded !== undefined) return constant(folded, expr.dtype);
    return expr;
  }
  switch (fn) {
    case 'add': {
      if (isLiteral(a, 0)) return b;
      if (isLiteral(b, 0)) return a;
      if (isConst(b)) {
        // (x + a) + b → x + (a+b); (x − a) + b → x + (b−a)
        if (isBinary(a, 'add') && isConst(a.args[1]!))
          return again(binary('add', a.args[0]!, index(literal(a.args[1]!) + literal(b), expr)));
        if (isBinary(a, 'sub') && isConst(a.args[1]!))
          return again(binary('add', a.args[0]!, index(literal(b) - literal(a.args[1]!), expr)));
      }
      return expr;
    }
    case 'sub': {
      if (isLiteral(b, 0)) return a;
      if (isConst(b)) {
        // (x + a) − b → x + (a−b); (x − a) − b → x − (a+b)
        if (isBinary(a, 'add') && isConst(a.args[1]!))
          return again(binary('add', a.args[0]!, index(literal(a.args[1]!) - literal(b), expr)));
        if (isBinary(a, 'sub') && isConst(a.args[1]!))
          return again(binary('sub', a.args[0]!, index(literal(a.args[1]!) + literal(b), expr)));
        if (literal(b) < 0) return again(binary('add', a, index(-literal(b), expr)));
      }
      return expr;
    }
    case 'mul': {
      if (isLiteral(a, 1)) return b;
      if (isLiteral(b, 1)) return a;
      if (isLiteral(a, 0) || isLiteral(b, 0)) return constant(0, expr.dtype);
      // (x · a) · b → x · (a·b), whichever side the literals stand on
      const [x, k] = isConst(b) ? [a, b] : isConst(a) ? [b, a] : [undefined, undefined];
      if (x !== undefined && k !== undefined && isBinary(x, 'mul')) {
        const [inner, factor] = constantOperand(x);
        if (inner !== undefined) return again(binary('mul', inner, index(factor * literal(k), expr)));
      }
      return expr;
    }
    case 'div': {
      if (isLiteral(b, 1)) return a;
      if (!isConst(b) || literal(b) <= 0) return expr;
      const divisor = literal(b);
      if (isBinary(a, 'mul')) {
        const [x, factor] = constantOperand(a);
        if (x !== undefined && factor > 0) {
          if (factor % divisor === 0) return again(binary('mul', x, index(factor / divisor, expr)));
          if (divisor % factor === 0) return again(binary('div', x, index(divisor / factor, expr)));
        }
      }
      if (isBinary(a, 'div') && isConst(a.args[1]!) && literal(a.args[1]!) > 0) {
        const product = literal(a.args[1]!) * divisor;
        if (product <= 2 ** 31 - 1) return again(binary('div', a.args[0]!, index(product, expr)));
      }
      return expr;
    }
    case 'mod': {
      if (isLiteral(b, 1) || isLiteral(b, -1)) return constant(0, expr.dtype);
      if (!isConst(b) || literal(b) <= 0) return expr;
      const divisor = literal(b);
      if (isBinary(a, 'mul')) {
        const [x, factor] = constantOperand(a);
        if (x !== undefined && factor > 0 && factor % divisor === 0) return constant(0, expr.dtype);
      }
      if (isBinary(a, 'mod') && isConst(a.args[1]!) && literal(a.args[1]!) % divisor === 0)
        return again(binary('mod', a.args[0]!, b));
      return expr;
    }
    case 'min':
    case 'max': {
      // max(max(x, a), b) → max(x, max(a, b))
      if (isConst(b) && isBinary(a, fn) && isConst(a.args[1]!)) {
        const bound = fn === 'max' ? Math.max : Math.min;
        return again(binary(fn, a.args[0]!, index(bound(literal(a.args[1]!), literal(b)), expr)));
      }
      return expr;
    }
    default:
      return expr;
  }
}

function isIndexType(dtype: string): boolean {
  return dtype === 'i32' || dtype === 'u32';
}

function isConst(expr: Expr): boolean {
  return expr.kind === 'const';
}

function literal(expr: Expr): number {
  return Number(expr.payload);
}

function isLiteral(expr: Expr, value: number): boolean {
  return expr.kind === 'const' && Number(expr.payload) === value;
}

function isBinary(expr: Expr, fn: string): boolean {
  return expr.kind === 'binary' && expr.payload === fn;
}

/** For `x · k` or `k · x` with a literal `k`: `[x, k]`; else `[undefined, NaN]`. */
function constantOperand(product: Expr): [Expr | undefined, number] {
  const [left, right] = product.args as [Expr, Expr];
  if (isConst(right)) return [left, literal(right)];
  if (isConst(left)) return [right, literal(left)];
  return [undefined, Number.NaN];
}

/** A literal of `like`'s dtype, wrapped to 32 bits. */
function index(value: number, like: Expr): Expr {
  return constant(wrap(value, like.dtype), like.dtype);
}

function wrap(value: number, dtype: string): number {
  return dtype === 'u32' ? value >>> 0 : value | 0;
}

/** Folds an integer operation as WGSL does; undefined where it must not be folded. */
function foldIntegers(fn: string, a: number, b: number, dtype: string): number | undefined {
  const unsigned = dtype === 'u32';
  switch (fn) {
    case 'add':
      return wrap(a + b, dtype);
    case 'sub':
      return wrap(a - b, dtype);
    case 'mul':
      return unsigned ? Math.imul(a, b) >>> 0 : Math.imul(a, b);
    case 'div':
      if (b === 0 || (!unsigned && a === -(2 ** 31) && b === -1)) return undefined;
      return wrap(Math.trunc(a / b), dtype);
    case 'mod':
      if (b === 0 || (!unsigned && a === -(2 ** 31) && b === -1)) return undefined;
      return wrap(a % b, dtype);
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
    default:
      return undefined;
  }
}
