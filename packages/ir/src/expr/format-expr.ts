import type { BinaryFunction, Expr } from './expr.js';

/**
 * Readable infix text of an Expr, for debugging and error messages (not WGSL):
 * `score + slope[h] * f32(k - q)`. Operators get C-like precedence and only the parentheses they
 * need; `min`, `max`, `pow`, math functions, casts and `select` print as calls. f32 literals with
 * an integral value print with `.0` so they read apart from i32 ones; u32 literals end in `u`.
 */
export function formatExpr(expr: Expr): string {
  return format(expr, 0);
}

const INFIX: Partial<Record<BinaryFunction, { symbol: string; precedence: number }>> = {
  or: { symbol: '||', precedence: 1 },
  and: { symbol: '&&', precedence: 2 },
  eq: { symbol: '==', precedence: 3 },
  ne: { symbol: '!=', precedence: 3 },
  lt: { symbol: '<', precedence: 4 },
  le: { symbol: '<=', precedence: 4 },
  gt: { symbol: '>', precedence: 4 },
  ge: { symbol: '>=', precedence: 4 },
  add: { symbol: '+', precedence: 5 },
  sub: { symbol: '-', precedence: 5 },
  mul: { symbol: '*', precedence: 6 },
  div: { symbol: '/', precedence: 6 },
  mod: { symbol: '%', precedence: 6 },
};
const PREFIX_PRECEDENCE = 7;

function format(expr: Expr, parentPrecedence: number): string {
  switch (expr.kind) {
    case 'const':
      return formatLiteral(Number(expr.payload), expr.dtype);
    case 'var':
      return String(expr.payload);
    case 'read':
      return `${String(expr.payload)}[${expr.args.map((arg) => format(arg, 0)).join(', ')}]`;
    case 'cast':
      return `${expr.dtype}(${format(expr.args[0]!, 0)})`;
    case 'select':
      return `select(${expr.args.map((arg) => format(arg, 0)).join(', ')})`;
    case 'unary': {
      const operand = expr.args[0]!;
      if (expr.payload === 'neg' || expr.payload === 'not') {
        const text = `${expr.payload === 'neg' ? '-' : '!'}${format(operand, PREFIX_PRECEDENCE)}`;
        return PREFIX_PRECEDENCE < parentPrecedence ? `(${text})` : text;
      }
      return `${String(expr.payload)}(${format(operand, 0)})`;
    }
    case 'binary': {
      const fn = expr.payload as BinaryFunction;
      const infix = INFIX[fn];
      const [left, right] = expr.args as [Expr, Expr];
      if (infix === undefined) return `${fn}(${format(left, 0)}, ${format(right, 0)})`;
      // Left-associative: an equal-precedence right operand needs parentheses (a - (b - c)).
      const text = `${format(left, infix.precedence)} ${infix.symbol} ${format(right, infix.precedence + 1)}`;
      return infix.precedence < parentPrecedence ? `(${text})` : text;
    }
  }
}

function formatLiteral(value: number, dtype: Expr['dtype']): string {
  if (dtype === 'bool') return value !== 0 ? 'true' : 'false';
  if (dtype === 'u32') return `${value}u`;
  if (
    (dtype === 'f32' || dtype === 'f16') &&
    Number.isInteger(value) &&
    Math.abs(value) < 1e15 &&
    !Object.is(value, -0)
  )
    return `${value}.0`;
  return Object.is(value, -0) ? '-0.0' : String(value);
}
