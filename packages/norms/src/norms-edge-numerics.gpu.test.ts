import { type Graph, input, interpret, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { l2Norm, layerNorm, rmsNorm } from './index.js';
import { values } from './test-support/cases.js';

const errors: Record<string, number> = {};

/** Normwise relative error of the fused kernels vs the float64 reference (inputs f32-rounded). */
async function deviceError(label: string, graph: Graph, x: Float64Array): Promise<number> {
  const { device } = await getTestDevice();
  const rounded = x.map(Math.fround);
  const program = await compile(graph, { device });
  try {
    const actual = (await program.run({ x: rounded }, { poisonOutputs: true })).y!;
    const expected = interpret(graph, { inputs: { x: rounded } }).y!;
    const data = Float32Array.from(actual.data);
    expect(Array.from(data).some(Number.isNaN), `${label} has NaN`).toBe(false);
    const error = relativeError(data, expected);
    errors[label] = error;
    return error;
  } finally {
    program.destroy();
  }
}

const ROWS = 4;
const LENGTH = 256;
const layer = () => makeGraph({ y: layerNorm(input('x', [ROWS, LENGTH]), { affine: false }) });
const rms = () => makeGraph({ y: rmsNorm(input('x', [ROWS, LENGTH]), { gain: false }) });
const rmsOutside = () =>
  makeGraph({ y: rmsNorm(input('x', [ROWS, LENGTH]), { gain: false, epsPlacement: 'outside' }) });
const l2 = () => makeGraph({ y: l2Norm(input('x', [ROWS, LENGTH])) });
const noise = (seed: number, scale: number, offset: number) =>
  values([ROWS, LENGTH], seed, { min: -1, max: 1 }).map((v) => offset + scale * v);

describe('LayerNorm and RMSNorm at the edges on the GPU vs float64', () => {
  afterAll(() => {
    console.log('norm edge errors:', errors);
  });

  it('LayerNorm of rows with |μ| ≫ σ (300 ± 1, 1e6 ± 0.1)', async () => {
    expect.soft(await deviceError('LayerNorm 300 ± 1', layer(), noise(1, 1, 300))).toBeLessThan(2e-6);
    // 1e6 ± 0.1 in f32 is a handful of values 0.0625 apart: x − μ must not lose μ's error.
    expect.soft(await deviceError('LayerNorm 1e6 ± 0.1', layer(), noise(2, 0.1, 1e6))).toBeLessThan(1e-5);
  });

  it('RMSNorm and LayerNorm of rows near 1e20 (x² overflows f32)', async () => {
    expect.soft(await deviceError('RMSNorm 1e20', rms(), noise(3, 1e20, 0))).toBeLessThan(1e-5);
    expect
      .soft(await deviceError('RMSNorm (ε outside) 1e20', rmsOutside(), noise(4, 1e20, 0)))
      .toBeLessThan(1e-5);
    expect.soft(await deviceError('LayerNorm 1e20', layer(), noise(5, 1e20, 0))).toBeLessThan(1e-5);
    expect.soft(await deviceError('l2Norm 1e20', l2(), noise(9, 1e20, 0))).toBeLessThan(1e-5);
  });

  it('RMSNorm and LayerNorm of ordinary and tiny rows stay exact', async () => {
    expect.soft(await deviceError('RMSNorm N(0,1)', rms(), noise(6, 1, 0))).toBeLessThan(2e-6);
    expect.soft(await deviceError('RMSNorm 1e-6 (ε dominates)', rms(), noise(7, 1e-6, 0))).toBeLessThan(2e-6);
    expect.soft(await deviceError('LayerNorm N(0,1)', layer(), noise(8, 1, 0))).toBeLessThan(2e-6);
  });
});
