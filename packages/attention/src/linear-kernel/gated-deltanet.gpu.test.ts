import { input, makeGraph, type Node } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseGatedDeltaNet, denseLogLinearGatedDeltaNet } from '../../test/dense-gated-deltanet.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import {
  gatedDeltaNet,
  gatedDeltaNetDecodeStep,
  gatedDeltaNetStateInputs,
} from '../linear/gated-deltanet.js';
import { logLinearStateInputs } from '../linear/log-linear-decode.js';
import {
  logLinearGatedDeltaNet,
  logLinearGatedDeltaNetDecodeStep,
} from '../linear/log-linear-gated-deltanet.js';

// f32 kernels vs float64: q and k are L2-normalized (|k_t·k_s| ≤ 1, β < 1), so the solve's powers
// A^(2^j) and the transfer P stay O(1); the outputs sum at most 13 such terms, the decode state takes
// 13 rank-one updates. 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() => console.log(`Gated DeltaNet on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`));

// 13 positions: not a power of two (the solve squares 3 times), Fenwick levels 0 … 4.
const SIZES = { B: 1, H: 2, N: 13, D: 4, E: 4, L: 5 };
const { B, H, N, D, E, L } = SIZES;

const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
  randomTensor(shape, { seed: SEED + offset, min, max }).data;
const values = {
  q: tensor([B, H, N, D], 1),
  k: tensor([B, H, N, D], 2),
  v: tensor([B, H, N, E], 3),
  beta: tensor([B, H, N], 4, 0.05, 0.95),
  g: tensor([B, H, N], 5, -0.6, 0),
  lambda: tensor([B, H, N, L], 6, 0, 2),
};

function sequence(length: number) {
  return {
    q: input('q', [B, H, length, D]),
    k: input('k', [B, H, length, D]),
    v: input('v', [B, H, length, E]),
    beta: input('beta', [B, H, length]),
    g: input('g', [B, H, length]),
    lambda: input('lambda', [B, H, length, L]),
  };
}

/** Runs a decode program (state held on the device) at every position; gathers `output`. */
async function decodeOnDevice(
  program: Awaited<ReturnType<typeof compileLinear>>,
  levels: boolean,
): Promise<Float64Array> {
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
      beta: row(values.beta, 1, t),
      g: row(values.g, 1, t),
      ...(levels ? { lambda: row(values.lambda, L, t) } : {}),
    };
    const output = (await runLinear(program, inputs, ['output'])).output!;
    for (let bh = 0; bh < B * H; bh++) stepped.set(output.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
  }
  return stepped;
}

async function check(
  label: string,
  expected: Float64Array,
  build: () => Promise<{ output: Float64Array; kernels: number }>,
): Promise<void> {
  const { output, kernels } = await build();
  const error = relativeError(output, expected);
  measured.push(`  ${label}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
  expect(error, label).toBeLessThan(TOLERANCE);
}

describe(`Gated DeltaNet and log-linear Gated DeltaNet (catalog #109) on a WebGPU device (seed ${SEED})`, () => {
  it('parallel and chunked forms and decode steps on device-held states = the recurrence in float64', async () => {
    const { device } = await getTestDevice();
    const { g, lambda: _, ...plain } = values;
    const gdnExpected = denseGatedDeltaNet(SIZES, { ...plain, g });
    const logLinearExpected = denseLogLinearGatedDeltaNet(SIZES, values);
    const whole = async (output: Node, levels: boolean) => {
      const program = await compileLinear(device, makeGraph({ output }));
      const result = {
        output: (await runLinear(program, levels ? values : { ...plain, g })).output!,
        kernels: program.stats.kernels,
      };
      program.destroy();
      return result;
    };
    const x = sequence(N);
    const gates = { beta: x.beta, logDecay: x.g };
    await check('gated-deltanet parallel', gdnExpected, () =>
      whole(gatedDeltaNet(x.q, x.k, x.v, { name: 'gdn', ...gates }).output, false),
    );
    // C = 4 on 13 positions: four chunks, the last padded, the state carried through three.
    await check('gated-deltanet chunked (C 4)', gdnExpected, () =>
      whole(
        gatedDeltaNet(x.q, x.k, x.v, { name: 'gdn', ...gates, form: 'chunked', chunkSize: 4 }).output,
        false,
      ),
    );
    await check('log-linear gated-deltanet parallel', logLinearExpected, () =>
      whole(logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, { name: 'll', ...gates }).output, true),
    );
    // C = 4 on 13 positions: levels 0 … 2 inside the chunks, chunk levels 1, 2 (λ columns 3, 4)
    // carried as delta-rule states through three chunk transitions and merged after chunk 1.
    await check('log-linear gated-deltanet chunked (C 4)', logLinearExpected, () =>
      whole(
        logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, {
          name: 'll',
          ...gates,
          form: 'chunked',
          chunkSize: 4,
        }).output,
        true,
      ),
    );

    const r = sequence(1);
    const operands = { query: r.q, key: r.k, value: r.v, beta: r.beta, logDecay: r.g };
    await check('gated-deltanet decode', gdnExpected, async () => {
      const step = gatedDeltaNetDecodeStep(
        { ...operands, state: gatedDeltaNetStateInputs(B, H, D, E, 'layer') },
        'layer',
      );
      const program = await compileLinear(
        device,
        makeGraph({ output: step.output, 'layer.state': step.state.values }),
        { 'layer.state': 'layer.state' },
      );
      const result = { output: await decodeOnDevice(program, false), kernels: program.stats.kernels };
      program.destroy();
      return result;
    });
    await check('log-linear gated-deltanet decode', logLinearExpected, async () => {
      const step = logLinearGatedDeltaNetDecodeStep(
        { ...operands, levelWeights: r.lambda, state: logLinearStateInputs(B, H, L - 1, D, E, 'layer') },
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
      const result = { output: await decodeOnDevice(program, true), kernels: program.stats.kernels };
      program.destroy();
      return result;
    });
  });
});
