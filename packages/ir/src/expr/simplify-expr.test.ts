import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateExpr } from './evaluate-expr.js';
import { binary, constant, type Expr, variable } from './expr.js';
import { formatExpr } from './format-expr.js';
import { simplifyExpr } from './simplify-expr.js';

const i = (value: number) => constant(value, 'i32');
const x = variable('x', 'i32');
const y = variable('y', 'i32');

const show = (expr: Expr) => formatExpr(simplifyExpr(expr));

describe('simplifyExpr', () => {
  it('folds literals and drops identities', () => {
    expect(show(i(1).mul(8))).toBe('8');
    expect(show(x.div(i(1)))).toBe('x');
    expect(show(i(0).add(y.mul(i(1))))).toBe('y');
    expect(show(x.add(i(0)).sub(i(0)))).toBe('x');
    expect(show(x.mul(i(0)))).toBe('0');
    expect(show(x.mod(i(1)))).toBe('0');
    expect(
      show(
        i(7)
          .div(i(2))
          .add(i(-7).mod(i(2))),
      ),
    ).toBe('2');
  });

  it('cancels factors of index arithmetic and merges nested literals', () => {
    expect(show(x.mul(i(8)).div(i(8)))).toBe('x');
    expect(show(x.mul(i(2)).div(i(8)))).toBe('x / 4');
    expect(show(x.mul(i(8)).div(i(2)))).toBe('x * 4');
    expect(show(x.mul(i(8)).mod(i(8)))).toBe('0');
    expect(show(x.mul(i(2)).mul(i(4)))).toBe('x * 8');
    expect(show(x.add(i(1)).add(i(2)))).toBe('x + 3');
    expect(show(x.sub(i(1)).add(i(1)))).toBe('x');
    expect(show(x.div(i(4)).div(i(8)))).toBe('x / 32');
    expect(show(x.mod(i(32)).mod(i(8)))).toBe('x % 8');
    expect(show(x.max(i(0)).max(i(0)))).toBe('max(x, 0)');
  });

  it('keeps float arithmetic as written', () => {
    const f = variable('f');
    expect(simplifyExpr(f.mul(0))).toBe(f.mul(0));
    expect(simplifyExpr(f.add(0))).toBe(f.add(0));
  });

  it('preserves the value of random integer index expressions (without 32-bit overflow)', () => {
    const leaf = fc.oneof(
      fc.constantFrom(x, y, variable('z', 'i32')),
      fc.integer({ min: -3, max: 64 }).map(i),
      fc.constantFrom(i(0), i(1)),
    );
    const tree = fc.letrec<{ expr: Expr }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(fc.constantFrom('add', 'sub', 'mul', 'min', 'max'), tie('expr'), tie('expr'))
          .map(([fn, a, b]) => binary(fn as 'add', a, b)),
        // Index math divides by positive sizes.
        fc
          .tuple(fc.constantFrom('div', 'mod'), tie('expr'), fc.integer({ min: 1, max: 64 }))
          .map(([fn, a, k]) => binary(fn as 'div', a, i(k))),
      ),
    })).expr;
    const values = fc.record({
      x: fc.integer({ min: -20, max: 300 }),
      y: fc.integer({ min: 0, max: 100 }),
      z: fc.integer({ min: 0, max: 7 }),
    });
    fc.assert(
      fc.property(tree, values, (expr, variables) => {
        fc.pre(exactWithinI32(expr, variables) !== undefined);
        const simplified = simplifyExpr(expr);
        expect(evaluateExpr(simplified, { variables })).toBe(evaluateExpr(expr, { variables }));
      }),
      { numRuns: 3000 },
    );
  });
});

/** The value of `expr` in exact arithmetic, or undefined when some intermediate leaves `i32`. */
function exactWithinI32(expr: Expr, variables: Record<string, number>): number | undefined {
  const args = expr.args.map((arg) => exactWithinI32(arg, variables));
  if (args.some((arg) => arg === undefined)) return undefined;
  const [a, b] = args as number[];
  let value: number;
  switch (expr.kind) {
    case 'const':
      value = Number(expr.payload);
      break;
    case 'var':
      value = variables[String(expr.payload)]!;
      break;
    default:
      switch (expr.payload) {
        case 'add':
          value = a! + b!;
          break;
        case 'sub':
          value = a! - b!;
          break;
        case 'mul':
          value = a! * b!;
          break;
        case 'div':
          value = Math.trunc(a! / b!);
          break;
        case 'mod':
          value = a! % b!;
          break;
        case 'min':
          value = Math.min(a!, b!);
          break;
        default:
          value = Math.max(a!, b!);
      }
  }
  return Math.abs(value) < 2 ** 31 - 1 ? value : undefined;
}
