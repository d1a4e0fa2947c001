import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseLogLinear } from '../../test/dense-log-linear.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { logLinearAttention } from '../linear/log-linear-attention.js';
import { logLinearDecodeStep, logLinearStateInputs } from '../linear/log-linear-decode.js';

// f32 kernels vs float64: sums of at most 21 terms (q·k) λ exp(segment sums of a ≤ 0), each factor
// O(1); the decode state adds at most 5 levels per step. 1e-5 is the f32 budget of the error-budget
// guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`log-linear attention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

// 21 positions: not a multiple of the chunk (4), levels 0 … 2 inside a chunk and 3 … 5 above it.
const SIZES = { B: 1, H: 2, N: 21, D: 4, E: 4, L: 6 };
const { B, H, N, D, E, L } = SIZES;

describe(`log-linear attention (catalog #109) on a WebGPU device (seed ${SEED})`, () => {
  it('quadratic, chunked and decode steps on a device-held Fenwick state = the paper’s (QKᵀ ⊙ H) V', async () => {
    const { device } = await getTestDevice();
    const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
      randomTensor(shape, { seed: SEED + offset, min, max }).data;
    const values = {
      q: tensor([B, H, N, D], 1),
      k: tensor([B, H, N, D], 2),
      v: tensor([B, H, N, E], 3),
      lambda: tensor([B, H, N, L], 4, 0, 2),
      a: tensor([B, H, N], 5, -0.6, 0),
    };
    const expected = denseLogLinear(SIZES, values);
    const results: Record<string, { output: Float64Array; kernels: number }> = {};
    for (const form of ['quadratic', 'chunked'] as const) {
      const { output } = logLinearAttention(
        input('q', [B, H, N, D]),
        input('k', [B, H, N, D]),
        input('v', [B, H, N, E]),
        input('lambda', [B, H, N, L]),
        { name: 'loglinear', form, chunkSize: 4, logDecay: input('a', [B, H, N]) },
      );
      const program = await compileLinear(device, makeGraph({ output }));
      results[form] = { output: (await runLinear(program, values)).output!, kernels: program.stats.kernels };
      program.destroy();
    }

    const step = logLinearDecodeStep(
      {
        query: input('q', [B, H, 1, D]),
        key: input('k', [B, H, 1, D]),
        value: input('v', [B, H, 1, E]),
        levelWeights: input('lambda', [B, H, 1, L]),
        logDecay: input('a', [B, H, 1]),
        state: logLinearStateInputs(B, H, L - 1, D, E, 'layer'),
      },
      'layer',
    );
    const program = await compileLinear(
      device,
      makeGraph({
        output: step.output,
        'layer.levels': step.state.levels,
        'layer.position': step.state.position,
      }),
      { 'layer.levels': 'layer.levels', 'layer.position': 'layer.position' },
    );
    const row = (x: ArrayLike<number>, width: number, t: number) => {
      const out = new Float64Array(B * H * width);
      for (let bh = 0; bh < B * H; bh++)
        for (let c = 0; c < width; c++) out[bh * width + c] = x[(bh * N + t) * width + c]!;
      return out;
    };
    const stepped = new Float64Array(B * H * N * E);
    for (let t = 0; t < N; t++) {
      const inputs = {
        q: row(values.q, D, t),
        k: row(values.k, D, t),
        v: row(values.v, E, t),
        lambda: row(values.lambda, L, t),
        a: row(values.a, 1, t),
      };
      const output = (await runLinear(program, inputs, ['output'])).output!;
      for (let bh = 0; bh < B * H; bh++) stepped.set(output.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
    }
    results.recurrent = { output: stepped, kernels: program.stats.kernels };
    program.destroy();

    // The forms also differ from each other (the f32 rounding of their different sums), not only
    // from the float64 formula.
    const forms = `chunked vs quadratic ${relativeError(results.chunked!.output, results.quadratic!.output).toExponential(2)}`;
    measured.push(
      `  ${forms}, recurrent vs quadratic ${relativeError(stepped, results.quadratic!.output).toExponential(2)}`,
    );
    for (const [form, { output, kernels }] of Object.entries(results)) {
      const error = relativeError(output, expected);
      measured.push(`  ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    }
  });
});
