import { decomposeExtensionOps, input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseMegaEma } from '../../test/dense-mega-ema.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { megaEma, megaEmaStateInput } from '../linear/mega-ema.js';

// f32 kernels vs float64: 13-step damped recurrences over 4 components, a device exp per gate
// product inside a chunk and a SiLU; 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() => console.log(`Mega EMA on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`));

const SIZES = { batch: 1, length: 13, channels: 6, components: 4 };
const { batch: B, length: L, channels: D, components: N } = SIZES;

describe("Mega's damped EMA on a WebGPU device", () => {
  it('chunked, quadratic and decode steps on a device-held h = the convolution form', async () => {
    const { device } = await getTestDevice();
    const tensor = (shape: number[], seed: number, min = -1, max = 1) =>
      randomTensor(shape, { seed: SEED + seed, min, max }).data;
    const params = {
      'ema.delta': tensor([D, N], 1, -2, 2),
      'ema.alpha': tensor([D, N], 2, -2, 2),
      'ema.beta': tensor([D, N], 3),
      'ema.gamma': tensor([D, N], 4),
      'ema.omega': tensor([D], 5),
    };
    const x = tensor([B, L, D], 6);
    const expected = denseMegaEma(SIZES, x, {
      delta: params['ema.delta'],
      alpha: params['ema.alpha'],
      beta: params['ema.beta'],
      gamma: params['ema.gamma'],
      omega: params['ema.omega'],
    });
    const whole = makeGraph({
      output: megaEma(input('x', [B, L, D]), { name: 'ema', components: N, chunkSize: 4 }).output,
    });
    const results: Record<string, { output: Float64Array; kernels: number }> = {};
    for (const [form, graph] of [
      ['chunked', whole],
      ['quadratic', decomposeExtensionOps(whole)],
    ] as const) {
      const program = await compileLinear(device, graph, undefined, params);
      results[form] = { output: (await runLinear(program, { x })).output!, kernels: program.stats.kernels };
      program.destroy();
    }
    const step = megaEma(input('x', [B, 1, D]), {
      name: 'ema',
      components: N,
      state: megaEmaStateInput(B, D, N, 'ema'),
    });
    const program = await compileLinear(
      device,
      makeGraph({ output: step.output, 'ema.state': step.state! }),
      { 'ema.state': 'ema.state' },
      params,
    );
    const stepped = new Float64Array(B * L * D);
    for (let t = 0; t < L; t++) {
      const row = new Float64Array(B * D);
      for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) row[b * D + d] = x[(b * L + t) * D + d]!;
      const output = (await runLinear(program, { x: row }, ['output'])).output!;
      for (let b = 0; b < B; b++)
        for (let d = 0; d < D; d++) stepped[(b * L + t) * D + d] = output[b * D + d]!;
    }
    results.recurrent = { output: stepped, kernels: program.stats.kernels };
    program.destroy();
    for (const [form, { output, kernels }] of Object.entries(results)) {
      const error = relativeError(output, expected);
      measured.push(`  ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    }
  });
});
