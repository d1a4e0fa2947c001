import { type Graph, input, makeGraph, type Node, silu } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseMala, denseNala, denseTransnormerLrpe, type MapSizes } from '../../test/dense-linear-maps.js';
import { compileLinear, compileLinearDecodeStep, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention, linearAttentionStateInputs } from '../linear/apply-linear-attention.js';
import { identity } from '../linear/feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from '../linear/linear-attention-spec.js';
import { lightningLinearDecay } from '../linear/linear-decay.js';
import { lrpeFeatures } from '../linear/lrpe-features.js';
import { applyMalaAttention, malaAttention } from '../linear/mala-attention.js';
import { nalaFeatures } from '../linear/nala-features.js';

// f32 kernels vs float64, each form of each map. NaLaFormer: powers p ∈ [1.5, 4.5) of entries
// ≤ 1 times cubes of keys in [−1, 1), ratios of sums of 13 positive weights. LRPE: cos/sin of
// angles up to 13 rad (f32 argument rounding near 1e-6 relative), 13 decayed terms. MALA: the
// readout subtracts z_i·v̄ from (1 + 1/z_i)·c·U_i, cancelling about one digit. Measured near 1e-7
// to 1e-6; 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`NaLaFormer, LRPE, MALA on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const SIZES: MapSizes = { batch: 2, heads: 2, length: 13, headDim: 8, valueDim: 8 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

function data(seed: number) {
  return {
    q: randomTensor([B, H, N, D], { seed: seed + 1, min: -2, max: 2 }).data,
    k: randomTensor([B, H, N, D], { seed: seed + 2 }).data,
    v: randomTensor([B, H, N, E], { seed: seed + 3 }).data,
  };
}
type Values = ReturnType<typeof data>;

const operands = (length: number) => ({
  query: input('q', [B, H, length, D]),
  key: input('k', [B, H, length, D]),
  value: input('v', [B, H, length, E]),
});

async function runOnce(graph: Graph, inputs: Values, params?: Record<string, ArrayLike<number>>) {
  const { device } = await getTestDevice();
  const program = await compileLinear(device, graph, undefined, params);
  const result = (await runLinear(program, inputs)).output!;
  const kernels = program.stats.kernels;
  program.destroy();
  return { result, kernels };
}

/** One-row steps on device-held state (`state`: output → input), `past` = t at step t when asked. */
async function stepThrough(
  program: Awaited<ReturnType<typeof compileLinear>>,
  values: Values,
  withPast: boolean,
): Promise<Float64Array> {
  const rowOf = (tensor: ArrayLike<number>, width: number, t: number) => {
    const out = new Float64Array(B * H * width);
    for (let bh = 0; bh < B * H; bh++)
      for (let c = 0; c < width; c++) out[bh * width + c] = tensor[(bh * N + t) * width + c]!;
    return out;
  };
  const stepped = new Float64Array(B * H * N * E);
  for (let t = 0; t < N; t++) {
    const inputs = {
      q: rowOf(values.q, D, t),
      k: rowOf(values.k, D, t),
      v: rowOf(values.v, E, t),
      ...(withPast ? { past: Int32Array.from([t]) } : {}),
    };
    const out = (await runLinear(program, inputs)).output!;
    for (let bh = 0; bh < B * H; bh++) stepped.set(out.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
  }
  return stepped;
}

function record(name: string, errors: Record<string, number>, kernels: string) {
  const listed = Object.entries(errors).map(([form, error]) => `${form} ${error.toExponential(2)}`);
  measured.push(`  ${name}: ${listed.join(', ')} (${kernels})`);
  for (const error of Object.values(errors)) expect(error).toBeLessThan(TOLERANCE);
}

describe(`NaLaFormer (#16), LRPE (#19), MALA (#103) on a WebGPU device (seed ${SEED})`, () => {
  it('NaLaFormer: state form, chunk sweep and decode steps match the paper', async () => {
    const values = data(SEED);
    const spec = (causal: boolean) =>
      linearAttention({
        heads: H,
        headDim: D,
        valueDim: E,
        featureMap: identity(),
        featureExpansion: nalaFeatures(),
        denominator: { epsilon: causal ? 1e-6 : N * 1e-6 },
        causal,
        chunkSize: 4,
        name: 'nala',
      });
    const whole = await runOnce(
      makeGraph({ output: applyLinearAttention(spec(false), operands(N)).output }),
      values,
    );
    const sweep = await runOnce(
      makeGraph({ output: applyLinearAttention(spec(true), operands(N)).output }),
      values,
    );
    const stepped = await stepLinear(spec(true), values, false);
    const causal = denseNala(SIZES, values.q, values.k, values.v, { causal: true, epsilon: 1e-6 });
    record(
      'NaLaFormer',
      {
        'non-causal': relativeError(
          whole.result,
          denseNala(SIZES, values.q, values.k, values.v, { causal: false, epsilon: 1e-6 }),
        ),
        sweep: relativeError(sweep.result, causal),
        decode: relativeError(stepped.result, causal),
      },
      `${whole.kernels}/${sweep.kernels}/${stepped.kernels} kernels`,
    );
  });

  it('TransNormerLLM with LRPE: chunk sweep and decode steps at offset positions match the paper', async () => {
    const values = data(SEED + 10);
    const decay = lightningLinearDecay(H, 1, 4);
    const theta = randomTensor([H, D], { seed: SEED + 14, min: 0.05, max: 1 }).data;
    const spec = (offset?: Node) =>
      linearAttention({
        heads: H,
        headDim: D,
        valueDim: E,
        featureMap: identity(),
        featureExpansion: lrpeFeatures(offset === undefined ? {} : { positionOffset: offset }),
        denominator: false,
        decay,
        causal: true,
        chunkSize: 4,
        name: 'tnl',
      });
    const mapped = (length: number) => {
      const { query, key, value } = operands(length);
      return { query: silu(query), key: silu(key), value };
    };
    const params = { 'tnl.lrpe.theta': theta };
    const sweep = await runOnce(
      makeGraph({ output: applyLinearAttention(spec(), mapped(N)).output }),
      values,
      params,
    );
    const stepSpec = spec(input('past', [1], 'i32'));
    const state = linearAttentionStateInputs(stepSpec, B, 'tnl');
    const step = applyLinearAttention(stepSpec, { ...mapped(1), state });
    const { device } = await getTestDevice();
    const program = await compileLinear(
      device,
      makeGraph({ output: step.output, 'tnl.state': step.state!.values }),
      { 'tnl.state': 'tnl.state' },
      params,
    );
    const stepped = await stepThrough(program, values, true);
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = denseTransnormerLrpe(SIZES, values.q, values.k, values.v, theta, decay.rates);
    record(
      'TransNormerLLM + LRPE',
      { sweep: relativeError(sweep.result, expected), decode: relativeError(stepped, expected) },
      `${sweep.kernels}/${kernels} kernels`,
    );
  });

  it('MALA: state form, chunk sweep and decode steps (op state, Σv, position) match the paper', async () => {
    const values = data(SEED + 20);
    const spec = (causal: boolean) =>
      malaAttention({ heads: H, headDim: D, valueDim: E, causal, chunkSize: 4 });
    const whole = await runOnce(
      makeGraph({ output: applyMalaAttention(spec(false), operands(N)).output }),
      values,
    );
    const sweep = await runOnce(
      makeGraph({ output: applyMalaAttention(spec(true), operands(N)).output }),
      values,
    );
    const causalSpec = spec(true);
    const state = {
      attention: linearAttentionStateInputs(causalSpec.linear, B, 'mala'),
      valueSum: input('mala.valueSum', [B, H, 1, E]),
      past: input('past', [1], 'i32'),
    };
    const step = applyMalaAttention(causalSpec, { ...operands(1), state });
    const { device } = await getTestDevice();
    const program = await compileLinear(
      device,
      makeGraph({
        output: step.output,
        'mala.state': step.state!.attention!.values,
        'mala.valueSum': step.state!.valueSum,
      }),
      { 'mala.state': 'mala.state', 'mala.valueSum': 'mala.valueSum' },
    );
    const stepped = await stepThrough(program, values, true);
    const kernels = program.stats.kernels;
    program.destroy();
    const causal = denseMala(SIZES, values.q, values.k, values.v, { causal: true, epsilon: 1e-6 });
    record(
      'MALA',
      {
        'non-causal': relativeError(
          whole.result,
          denseMala(SIZES, values.q, values.k, values.v, { causal: false, epsilon: 1e-6 }),
        ),
        sweep: relativeError(sweep.result, causal),
        decode: relativeError(stepped, causal),
      },
      `${whole.kernels}/${sweep.kernels}/${kernels} kernels`,
    );
  });
});

/** Decode steps of a plain linear-attention spec with a denominator (state S and z held on the device). */
async function stepLinear(spec: LinearAttentionSpec, values: Values, withPast: boolean) {
  const { device } = await getTestDevice();
  const program = await compileLinearDecodeStep(device, spec, operands(1), B);
  const result = await stepThrough(program, values, withPast);
  const kernels = program.stats.kernels;
  program.destroy();
  return { result, kernels };
}
