import { describe, expect, it } from 'vitest';
import { SpecError } from '../errors.js';
import { evaluateExpr } from './evaluate-expr.js';
import { cast, constant, read, select, tensorRef, variable } from './expr.js';
import { formatExpr } from './format-expr.js';

const i = (value: number) => constant(value, 'i32');

describe('evaluateExpr', () => {
  it('follows WGSL integer semantics: truncating division, remainder with the dividend sign, wrap-around', () => {
    const a = variable('a', 'i32');
    const b = variable('b', 'i32');
    const at = (expr: ReturnType<typeof variable>, values: Record<string, number>) =>
      evaluateExpr(expr, { variables: values });
    expect(at(a.div(b), { a: -7, b: 2 })).toBe(-3);
    expect(at(a.mod(b), { a: -7, b: 2 })).toBe(-1);
    expect(at(a.div(b), { a: 5, b: 0 })).toBe(5);
    expect(at(a.mod(b), { a: 5, b: 0 })).toBe(0);
    expect(at(a.add(b), { a: 2 ** 31 - 1, b: 1 })).toBe(-(2 ** 31));
    expect(at(a.mul(b), { a: 65536, b: 65536 })).toBe(0);
    expect(at(variable('x').mod(2), { x: -7.5 })).toBe(-1.5);
  });

  it('casts like WGSL: truncation toward zero, saturation, bool as 0/1', () => {
    const x = variable('x');
    expect(evaluateExpr(cast(x, 'i32'), { variables: { x: -2.9 } })).toBe(-2);
    expect(evaluateExpr(cast(x, 'i32'), { variables: { x: 1e12 } })).toBe(2 ** 31 - 1);
    expect(evaluateExpr(cast(x, 'u32'), { variables: { x: -3 } })).toBe(0);
    expect(evaluateExpr(cast(x.gt(0), 'f32'), { variables: { x: 0.5 } })).toBe(1);
  });

  it('computes gelu as x·Φ(x) via erf, and stable softplus/sigmoid for large |x|', () => {
    const x = variable('x');
    const phi = (v: number) => 0.5 * (1 + evaluateExpr(x.apply('erf'), { variables: { x: v / Math.SQRT2 } }));
    for (const v of [-3.5, -1, -0.25, 0.5, 2, 6]) {
      expect(evaluateExpr(x.apply('gelu'), { variables: { x: v } })).toBeCloseTo(v * phi(v), 14);
    }
    expect(evaluateExpr(x.apply('softplus'), { variables: { x: 800 } })).toBe(800);
    expect(evaluateExpr(x.apply('softplus'), { variables: { x: -800 } })).toBe(0);
    expect(evaluateExpr(x.apply('sigmoid'), { variables: { x: -800 } })).toBe(0);
    expect(evaluateExpr(x.apply('round'), { variables: { x: 2.5 } })).toBe(2);
    expect(evaluateExpr(x.apply('round'), { variables: { x: -3.5 } })).toBe(-4);
  });

  it('reads captured tensors and evaluates only the selected branch', () => {
    const slope = tensorRef('slope', [4]);
    const h = variable('h', 'i32');
    const expr = select(h.lt(4), slope.at(h), constant(-1));
    const table = [0.5, 0.25, 0.125, 0.0625];
    const readTable = (_name: string, [index]: readonly number[]) => {
      if (index! >= table.length) throw new Error('out of bounds');
      return table[index!]!;
    };
    expect(evaluateExpr(expr, { variables: { h: 2 }, read: readTable })).toBe(0.125);
    expect(evaluateExpr(expr, { variables: { h: 9 }, read: readTable })).toBe(-1);
  });

  it('names an unbound variable', () => {
    expect(() => evaluateExpr(variable('score').add(1))).toThrow(SpecError);
    expect(() => evaluateExpr(variable('score').add(1))).toThrow(/"score"/);
  });
});

describe('formatExpr', () => {
  it('prints infix with minimal parentheses and typed literals', () => {
    const score = variable('score');
    const biased = score.add(
      read('slope', [variable('h', 'i32')]).mul(cast(variable('k', 'i32').sub(variable('q', 'i32')), 'f32')),
    );
    expect(formatExpr(biased)).toBe('score + slope[h] * f32(k - q)');
    const a = variable('a', 'i32');
    expect(formatExpr(a.sub(a.sub(i(1))).mul(i(2)))).toBe('(a - (a - 1)) * 2');
    expect(formatExpr(select(score.gt(0).and(score.lt(1)), score.neg(), constant(1)))).toBe(
      'select(score > 0.0 && score < 1.0, -score, 1.0)',
    );
    expect(formatExpr(score.apply('exp').max(0.5))).toBe('max(exp(score), 0.5)');
  });
});
