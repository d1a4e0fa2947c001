import { constant, type DType, read, select, unary, variable } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { type ExprEnvironment, renderExprs } from './expr-to-wgsl.js';
import { HelperSet } from './wgsl-helpers.js';

function environment(helpers = new HelperSet()): ExprEnvironment {
  return {
    helpers,
    letPrefix: 'v',
    variable: (name: string) => name,
    read: (tensor: string, index: readonly string[], dtype: DType) =>
      `${tensor}_${dtype}[${index.join(', ')}]`,
  };
}

describe('renderExprs', () => {
  test('a subexpression used twice is bound once with let; single uses are inlined', () => {
    const x = variable('x');
    const shared = x.add(1);
    const rendered = renderExprs([shared.mul(shared).sub(x.mul(2))], environment());
    expect(rendered.lines).toEqual(['let v0: f32 = x + 1.0;']);
    expect(rendered.values).toEqual(['(v0 * v0) - (x * 2.0)']);
  });

  test('sharing is detected across roots, and loads used twice are loaded once', () => {
    const load = read('t', [variable('i', 'i32')]);
    const rendered = renderExprs([load.apply('exp'), load.neg()], environment());
    expect(rendered.lines).toEqual(['let v0: f32 = t_f32[i];']);
    expect(rendered.values).toEqual(['exp(v0)', '-v0']);
  });

  test('polyfills are included once, with their dependencies first', () => {
    const helpers = new HelperSet();
    const x = variable('x');
    renderExprs([x.apply('gelu').add(x.apply('erf')).add(x.apply('softplus'))], environment(helpers));
    const code = helpers.code().join('\n');
    expect(code.match(/fn weft_erf\(/g)).toHaveLength(1);
    expect(code.indexOf('fn weft_erf(')).toBeLessThan(code.indexOf('fn weft_gelu('));
    expect(code.indexOf('fn weft_log1p(')).toBeLessThan(code.indexOf('fn weft_softplus('));
  });

  test('types, casts, select order, literals and non-finite constants', () => {
    const i = variable('i', 'i32');
    const x = variable('x');
    const rendered = renderExprs(
      [
        select(i.lt(3), x, constant(-Infinity)),
        i.cast('f32').add(unary('isNan', x).cast('f32')),
        constant(-2, 'i32').mul(i),
        constant(5, 'u32').neg(),
        x.pow(2).add(x.pow(0.5)).add(x.pow(3)),
        variable('h', 'f16').apply('sigmoid'),
      ],
      environment(),
    );
    expect(rendered.values).toEqual([
      'select(-weft_inf(), x, i < 3)',
      'f32(i) + f32(weft_is_nan(x))',
      '(-2) * i',
      '0u - 5u',
      '((x * x) + sqrt(x)) + weft_pow(x, 3.0)',
      'f16(weft_sigmoid(f32(h)))',
    ]);
  });
});
