import { decomposeExtensionOps, input, interpret, makeGraph, ShapeError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMegaEma } from '../../test/dense-mega-ema.js';
import { seeded } from '../catalog/seeded-values.js';
import { megaEma, megaEmaStateInput } from './mega-ema.js';

const F64 = 1e-12;
const SIZES = { batch: 2, length: 11, channels: 3, components: 4 };
const { batch: B, length: L, channels: D, components: N } = SIZES;
const PARAMS = {
  'ema.delta': seeded(D * N, 11),
  'ema.alpha': seeded(D * N, 12),
  'ema.beta': seeded(D * N, 13),
  'ema.gamma': seeded(D * N, 14),
  'ema.omega': seeded(D, 15),
};
const dense = (x: ArrayLike<number>) =>
  denseMegaEma(SIZES, x, {
    delta: PARAMS['ema.delta'],
    alpha: PARAMS['ema.alpha'],
    beta: PARAMS['ema.beta'],
    gamma: PARAMS['ema.gamma'],
    omega: PARAMS['ema.omega'],
  });

describe("Mega's damped EMA as gated linear attention, float64", () => {
  const x = seeded(B * L * D, 1);

  it('the chunked sweep and its quadratic decomposition = SiLU(causal conv with the EMA kernel + ω x)', () => {
    const { output } = megaEma(input('x', [B, L, D]), { name: 'ema', components: N, chunkSize: 4 });
    const graph = makeGraph({ output });
    const expected = dense(x);
    expect(
      relativeError(interpret(graph, { inputs: { x }, params: PARAMS }).output!.data, expected),
    ).toBeLessThan(F64);
    const quadratic = interpret(decomposeExtensionOps(graph), { inputs: { x }, params: PARAMS }).output!.data;
    expect(relativeError(quadratic, expected)).toBeLessThan(F64);
  });

  it('decode steps on the state h [B, D, N, 1] = the whole sequence', () => {
    const step = megaEma(input('x', [B, 1, D]), {
      name: 'ema',
      components: N,
      state: megaEmaStateInput(B, D, N, 'ema'),
    });
    expect(step.state!.shape).toEqual([B, D, N, 1]);
    const graph = makeGraph({ output: step.output, 'ema.state': step.state! });
    let state = new Float64Array(B * D * N);
    const stepped = new Float64Array(B * L * D);
    for (let t = 0; t < L; t++) {
      const row = new Float64Array(B * D);
      for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) row[b * D + d] = x[(b * L + t) * D + d]!;
      const results = interpret(graph, { inputs: { x: row, 'ema.state': state }, params: PARAMS });
      for (let b = 0; b < B; b++)
        for (let d = 0; d < D; d++) stepped[(b * L + t) * D + d] = results.output!.data[b * D + d]!;
      state = Float64Array.from(results['ema.state']!.data);
    }
    expect(relativeError(stepped, dense(x))).toBeLessThan(F64);
  });

  it('bad input is named', () => {
    expect(() => megaEma(input('x', [B, L]), { name: 'ema', components: N })).toThrow(ShapeError);
    expect(() => megaEma(input('x', [B, L]), { name: 'ema', components: N })).toThrow(/Mega EMA "ema"/);
  });
});
