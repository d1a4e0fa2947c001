import { input, makeGraph, symbolicDim } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseLinearAttention, type LinearSizes, PHI } from '../../test/dense-linear-attention.js';
import { compileLinear, compileLinearDecodeStep, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention } from '../linear/apply-linear-attention.js';
import { elu1, type FeatureMap, identity, relu } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';
import { lightningLinearDecay, retentionDecay } from '../linear/linear-decay.js';

// f32 kernels vs float64: sums of at most 19 products per output, state sums of 19 terms; the
// normwise error measures near 1e-7, and 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`linear attention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

interface Case {
  readonly label: string;
  readonly featureMap: FeatureMap;
  readonly epsilon: number | null;
  readonly decay: readonly number[] | null;
  readonly causal: boolean;
  readonly chunkSize?: number;
  readonly sizes: LinearSizes;
}

const sizes = (queries: number, keys: number, valueDim = 12): LinearSizes => ({
  batch: 1,
  heads: 2,
  queries,
  keys,
  headDim: 8,
  valueDim,
});

const CASES: readonly Case[] = [
  {
    label: 'non-causal ELU+1, ε 1e-6 (state form)',
    featureMap: elu1(),
    epsilon: 1e-6,
    decay: null,
    causal: false,
    sizes: sizes(13, 19),
  },
  {
    label: 'causal ELU+1, ε 1e-6, chunks of 8',
    featureMap: elu1(),
    epsilon: 1e-6,
    decay: null,
    causal: true,
    chunkSize: 8,
    sizes: sizes(19, 19),
  },
  {
    label: 'retention: identity, RetNet γ, no denominator, chunks of 4, d_v 40 (two slices)',
    featureMap: identity(),
    epsilon: null,
    decay: retentionDecay(2).rates,
    causal: true,
    chunkSize: 4,
    sizes: sizes(19, 19, 40),
  },
  {
    label: 'ReLU, ε 1e-3, Lightning decay, one partial chunk of 32',
    featureMap: relu(),
    epsilon: 1e-3,
    decay: lightningLinearDecay(2, 1, 4).rates,
    causal: true,
    sizes: sizes(19, 19),
  },
];

function specOf(test: Case) {
  return linearAttention({
    heads: test.sizes.heads,
    headDim: test.sizes.headDim,
    valueDim: test.sizes.valueDim,
    featureMap: test.featureMap,
    denominator: test.epsilon === null ? false : { epsilon: test.epsilon },
    ...(test.decay === null ? {} : { decay: { rates: test.decay, description: 'test' } }),
    causal: test.causal,
    ...(test.chunkSize === undefined ? {} : { chunkSize: test.chunkSize }),
    name: 'linear',
  });
}

function values(test: Case, seed: number) {
  const { batch: b, heads: h, queries, keys, headDim: dk, valueDim: dv } = test.sizes;
  return {
    q: randomTensor([b, h, queries, dk], { seed: seed + 1 }).data,
    k: randomTensor([b, h, keys, dk], { seed: seed + 2 }).data,
    v: randomTensor([b, h, keys, dv], { seed: seed + 3 }).data,
  };
}

function dense(
  test: Case,
  data: ReturnType<typeof values>,
  start?: { values: Float64Array; keys: Float64Array },
) {
  return denseLinearAttention(test.sizes, data.q, data.k, data.v, {
    phi: PHI[test.featureMap.name],
    gamma: test.decay ?? [1, 1],
    epsilon: test.epsilon,
    causal: test.causal,
    ...(start === undefined ? {} : { state: start }),
  });
}

describe(`linear attention kernels on a WebGPU device (seed ${SEED})`, () => {
  it.each(CASES.map((test) => [test.label, test] as const))('%s matches float64', async (label, test) => {
    const { device } = await getTestDevice();
    const spec = specOf(test);
    const { batch: b, heads: h, queries, keys, headDim: dk, valueDim: dv } = test.sizes;
    const applied = applyLinearAttention(spec, {
      query: input('q', [b, h, queries, dk]),
      key: input('k', [b, h, keys, dk]),
      value: input('v', [b, h, keys, dv]),
      returnState: test.causal,
    });
    const graph = makeGraph({
      output: applied.output,
      ...(applied.state === undefined ? {} : { state: applied.state.values }),
      ...(applied.state?.keys === undefined ? {} : { keyState: applied.state.keys }),
    });
    const program = await compileLinear(device, graph);
    const data = values(test, SEED);
    const result = await runLinear(program, data);
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = dense(test, data);
    const error = relativeError(result.output!, expected.output);
    measured.push(`  ${label}: output ${error.toExponential(2)}, ${kernels} kernel(s)`);
    expect(error).toBeLessThan(TOLERANCE);
    if (test.causal) {
      expect(relativeError(result.state!, expected.state)).toBeLessThan(TOLERANCE);
      if (test.epsilon !== null)
        expect(relativeError(result.keyState!, expected.keyState)).toBeLessThan(TOLERANCE);
    }
  });

  it.each([CASES[1]!, CASES[2]!].map((test) => [test.label, test] as const))(
    '%s: decode steps on a device-held state equal the chunked pass',
    async (label, test) => {
      const { device } = await getTestDevice();
      const spec = specOf(test);
      const { batch: b, heads: h, queries: n, headDim: dk, valueDim: dv } = test.sizes;
      const data = values(test, SEED + 11);
      const chunked = applyLinearAttention(spec, {
        query: input('q', [b, h, n, dk]),
        key: input('k', [b, h, n, dk]),
        value: input('v', [b, h, n, dv]),
      });
      const wholeProgram = await compileLinear(device, makeGraph({ output: chunked.output }));
      const whole = (await runLinear(wholeProgram, data)).output!;
      wholeProgram.destroy();

      const program = await compileLinearDecodeStep(
        device,
        spec,
        {
          query: input('q', [b, h, 1, dk]),
          key: input('k', [b, h, 1, dk]),
          value: input('v', [b, h, 1, dv]),
        },
        b,
      );
      const rowOf = (tensor: Float64Array, width: number, t: number) => {
        const row = new Float64Array(b * h * width);
        for (let bh = 0; bh < b * h; bh++)
          row.set(tensor.subarray((bh * n + t) * width, (bh * n + t + 1) * width), bh * width);
        return row;
      };
      const stepped = new Float64Array(whole.length);
      let last: Record<string, Float64Array> = {};
      for (let t = 0; t < n; t++) {
        last = await runLinear(program, {
          q: rowOf(data.q, dk, t),
          k: rowOf(data.k, dk, t),
          v: rowOf(data.v, dv, t),
        });
        for (let bh = 0; bh < b * h; bh++)
          stepped.set(last.output!.subarray(bh * dv, (bh + 1) * dv), (bh * n + t) * dv);
      }
      const kernels = program.stats.kernels;
      program.destroy();
      const expected = dense(test, data);
      const error = relativeError(stepped, expected.output);
      measured.push(
        `  decode, ${label}: steps vs f64 ${error.toExponential(2)}, steps vs chunked ${relativeError(stepped, whole).toExponential(2)}, ${kernels} kernels per step`,
      );
      expect(error).toBeLessThan(TOLERANCE);
      expect(relativeError(stepped, whole)).toBeLessThan(TOLERANCE);
      expect(relativeError(last['layer.state']!, expected.state)).toBeLessThan(TOLERANCE);
      expect(kernels).toBe(spec.denominator === null ? 2 : 3);
    },
  );

  it('a chunk that starts from a prefill state continues the sequence', async () => {
    const { device } = await getTestDevice();
    const test = CASES[3]!;
    const spec = specOf(test);
    const { batch: b, heads: h, headDim: dk, valueDim: dv } = test.sizes;
    const first = values({ ...test, sizes: { ...test.sizes, queries: 11, keys: 11 } }, SEED + 21);
    const second = values({ ...test, sizes: { ...test.sizes, queries: 6, keys: 6 } }, SEED + 31);
    const prefill = applyLinearAttention(spec, {
      query: input('q', [b, h, 11, dk]),
      key: input('k', [b, h, 11, dk]),
      value: input('v', [b, h, 11, dv]),
      returnState: true,
    });
    const prefillProgram = await compileLinear(
      device,
      makeGraph({ state: prefill.state!.values, keyState: prefill.state!.keys! }),
    );
    const carried = await runLinear(prefillProgram, { k: first.k, v: first.v });
    prefillProgram.destroy();
    const next = applyLinearAttention(spec, {
      query: input('q', [b, h, 6, dk]),
      key: input('k', [b, h, 6, dk]),
      value: input('v', [b, h, 6, dv]),
      state: { values: input('s', [b, h, dk, dv]), keys: input('z', [b, h, dk]) },
    });
    const nextProgram = await compileLinear(device, makeGraph({ output: next.output }));
    const continued = (await runLinear(nextProgram, { ...second, s: carried.state!, z: carried.keyState! }))
      .output!;
    nextProgram.destroy();
    const start = dense({ ...test, sizes: { ...test.sizes, queries: 11, keys: 11 } }, first);
    const expected = dense({ ...test, sizes: { ...test.sizes, queries: 6, keys: 6 } }, second, {
      values: start.state,
      keys: start.keyState,
    });
    const error = relativeError(continued, expected.output);
    measured.push(`  prefill state + chunk of 6: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('one program serves every length up to a symbolic maximum (decay powers of the state by exp)', async () => {
    const { device } = await getTestDevice();
    const test = CASES[2]!;
    const spec = specOf(test);
    const { batch: b, heads: h, headDim: dk, valueDim: dv } = test.sizes;
    const seq = symbolicDim('seq', { max: 300 });
    const applied = applyLinearAttention(spec, {
      query: input('q', [b, h, seq, dk]),
      key: input('k', [b, h, seq, dk]),
      value: input('v', [b, h, seq, dv]),
      returnState: true,
    });
    const program = await compileLinear(
      device,
      makeGraph({ output: applied.output, state: applied.state!.values }),
    );
    for (const n of [23, 9, 300]) {
      const sized = { ...test, sizes: { ...test.sizes, queries: n, keys: n } };
      const data = values(sized, SEED + n);
      const result = await program.run(data, { dims: { seq: n }, poisonOutputs: true });
      const expected = dense(sized, data);
      const output = relativeError(Float64Array.from(result.output!.data), expected.output);
      const state = relativeError(Float64Array.from(result.state!.data), expected.state);
      measured.push(
        `  symbolic length ${n}: output ${output.toExponential(2)}, state ${state.toExponential(2)}`,
      );
      expect(output).toBeLessThan(TOLERANCE);
      expect(state).toBeLessThan(TOLERANCE);
    }
    program.destroy();
  });

  it.each([
    ['non-causal, d_k 64, d_v 64 (key chunks lowered to fit)', false, 64, 64, 70, 64],
    ['causal, d_k 128, d_v 16, chunkSize 32 (lowered to fit)', true, 128, 16, 20, 32],
  ] as const)('%s matches float64', async (label, causal, headDim, valueDim, n, chunkSize) => {
    const { device } = await getTestDevice();
    const test: Case = {
      label,
      featureMap: elu1(),
      epsilon: 1e-6,
      decay: null,
      causal,
      chunkSize,
      sizes: { batch: 1, heads: 1, queries: n, keys: n, headDim, valueDim },
    };
    const { output } = applyLinearAttention(specOf(test), {
      query: input('q', [1, 1, n, headDim]),
      key: input('k', [1, 1, n, headDim]),
      value: input('v', [1, 1, n, valueDim]),
    });
    const program = await compileLinear(device, makeGraph({ output }));
    const data = values(test, SEED + 41);
    const result = await runLinear(program, data);
    program.destroy();
    const error = relativeError(result.output!, dense(test, data).output);
    measured.push(`  ${label}: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(TOLERANCE);
  });
});
