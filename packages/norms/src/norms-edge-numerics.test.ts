import { input, interpret, makeGraph } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { adaIn, instanceNorm, styleAdaptiveInstanceNorm } from './index.js';

const X = Float64Array.from([1, 2, 4, 8, 16, -3, 0.5, 2, 7, 1]);
const EPS = 1e-5;

/** (x − μ)/√(var + ε) per row of 5, var dividing by `divisor(n)` (float64 by hand). */
function standardized(rows: Float64Array, length: number, divisor: (n: number) => number): number[] {
  const out: number[] = [];
  for (let start = 0; start < rows.length; start += length) {
    const row = Array.from(rows.slice(start, start + length));
    const mu = row.reduce((a, b) => a + b, 0) / length;
    const variance = row.reduce((a, b) => a + (b - mu) ** 2, 0) / divisor(length);
    out.push(...row.map((v) => (v - mu) / Math.sqrt(variance + EPS)));
  }
  return out;
}

/** AdaIN with γ = 1, β = 0 (zero style weight, bias [1, 1, 0, 0]). */
function adaInOf(variance: 'population' | 'unbiased' | undefined, sain = false) {
  const x = input('x', [1, 2, 5]);
  const style = input('style', [1, 3]);
  const options = { name: 'a', ...(variance === undefined ? {} : { variance }) };
  const y = sain ? styleAdaptiveInstanceNorm(x, style, options) : adaIn(x, style, options);
  return interpret(makeGraph({ y }), {
    inputs: { x: X, style: Float64Array.from([0.3, -1, 2]) },
    params: { 'a.style.weight': new Float64Array(12), 'a.style.bias': Float64Array.from([1, 1, 0, 0]) },
  }).y!;
}

describe('AdaIN / SAIN variance convention', () => {
  it("default and 'population' divide by n", () => {
    const expected = standardized(X, 5, (n) => n);
    expectClose(adaInOf(undefined), expected, { rtol: 1e-12, atol: 1e-12 });
    expectClose(adaInOf('population'), expected, { rtol: 1e-12, atol: 1e-12 });
  });

  it("'unbiased' divides by n − 1 (the official AdaIN code's torch.var), also for SAIN", () => {
    const expected = standardized(X, 5, (n) => n - 1);
    expectClose(adaInOf('unbiased'), expected, { rtol: 1e-12, atol: 1e-12 });
    expectClose(adaInOf('unbiased', true), expected, { rtol: 1e-12, atol: 1e-12 });
  });

  it("'unbiased' with a mask divides by the valid count − 1", () => {
    const x = input('x', [1, 2, 5]);
    const mask = input('mask', [1, 5], 'bool');
    const y = instanceNorm(x, { mask, variance: 'unbiased' });
    const result = interpret(makeGraph({ y }), {
      inputs: { x: X, mask: Float64Array.from([1, 1, 1, 1, 0]) },
    }).y!;
    const valid = Float64Array.from([...X.slice(0, 4), ...X.slice(5, 9)]);
    const expected = standardized(valid, 4, (n) => n - 1);
    expectClose(
      Array.from(result.data).filter((_, i) => i % 5 !== 4),
      expected,
      { rtol: 1e-12, atol: 1e-12 },
    );
  });

  it('rejects an unknown variance', () => {
    expect(() => instanceNorm(input('x', [1, 2, 5]), { variance: 'sample' as never })).toThrow(/variance/);
  });
});
