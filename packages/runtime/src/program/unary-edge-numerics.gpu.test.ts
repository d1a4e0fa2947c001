import { cos, input, interpret, log1p, makeGraph, sin, softplus, tanh } from '@weft/ir';
import { afterAll, describe, expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

const errors: Record<string, number> = {};

/** Worst relative error (absolute below `floor`) of `y` on the device vs the float64 reference. */
async function worstError(label: string, build: typeof softplus, x: Float32Array, floor: number) {
  const { device } = await getTestDevice();
  const graph = makeGraph({ y: build(input('x', [x.length])) });
  const expected = interpret(graph, { inputs: { x } }).y!.data;
  const program = await compile(graph, { device });
  try {
    const actual = (await program.run({ x }, { poisonOutputs: true })).y!.data;
    let worst = 0;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), floor));
    errors[label] = worst;
    return worst;
  } finally {
    program.destroy();
  }
}

describe('unary functions at the edges on the GPU vs float64', () => {
  afterAll(() => {
    console.log('unary edge errors:', errors);
  });

  it('softplus and log1p keep tiny results (softplus(−17) = 4.1e-8, not 0)', async () => {
    const x = Float32Array.from([-30, -20, -17, -12, -9, -5, -1, 0, 1, 5, 17, 30]);
    expect(await worstError('softplus', softplus, x, 1e-30)).toBeLessThan(1e-5);
    const small = Float32Array.from([-0.5, -1e-3, -1e-5, -1e-8, 0, 1e-9, 1e-7, 1e-5, 1e-4, 2e-4, 0.1, 3]);
    expect(await worstError('log1p', log1p, small, 1e-30)).toBeLessThan(1e-5);
  });

  it('tanh keeps its relative precision near 0 and saturates without NaN', async () => {
    // Small |x| is where softcap(30) puts most scores: tanh(s/30) relative error feeds every weight.
    const x = Float32Array.from([
      -40, -9.5, -3, -0.7, -0.6, -0.1, -1e-3, -3e-6, 0, 1e-7, 2e-5, 0.01, 0.3, 0.62, 0.63, 2, 8.9, 100,
    ]);
    expect(await worstError('tanh', tanh, x, 1e-30)).toBeLessThan(1e-6);
  });

  it('sin and cos within 1e-6 absolute up to |x| = 8192 (Cody–Waite reduction)', async () => {
    const x = Float32Array.from({ length: 257 }, (_, i) => (i - 128) * 64.123);
    expect(await worstError('sin', sin, x, 1)).toBeLessThan(1e-6);
    expect(await worstError('cos', cos, x, 1)).toBeLessThan(1e-6);
  });
});
