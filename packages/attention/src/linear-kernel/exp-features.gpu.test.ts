import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseExpFeatures, denseFeatureAttention, type ExpSizes } from '../../test/dense-exp-features.js';
import {
  compileLinear,
  compileLinearDecodeStep,
  decodeTokenByToken,
  runLinear,
} from '../../test/run-linear.js';
import { applyLinearAttention } from '../linear/apply-linear-attention.js';
import { expFeatures } from '../linear/exp-features.js';
import { identity } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';

// f32 kernels vs float64: features in (0, 1] after the max subtraction (the device's exp adds a
// few ulps), ratios of sums of at most 21 positive weights; measured near 2e-7. 1e-5 is the f32
// budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`softmax-over-features linear attention vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const SIZES: ExpSizes = { batch: 2, heads: 2, length: 21, headDim: 8, valueDim: 12 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

const spec = (causal: boolean) =>
  linearAttention({
    heads: H,
    headDim: D,
    valueDim: E,
    featureMap: identity(),
    featureExpansion: expFeatures({ softmax: true }),
    denominator: { epsilon: 1e-6 },
    causal,
    chunkSize: 8,
    name: 'softmax-features',
  });

const operands = (length: number) => ({
  query: input('q', [B, H, length, D]),
  key: input('k', [B, H, length, D]),
  value: input('v', [B, H, length, E]),
});

function data(seed: number) {
  return {
    q: randomTensor([B, H, N, D], { seed: seed + 1, min: -3, max: 3 }).data,
    k: randomTensor([B, H, N, D], { seed: seed + 2, min: -3, max: 3 }).data,
    v: randomTensor([B, H, N, E], { seed: seed + 3 }).data,
  };
}

function dense(values: ReturnType<typeof data>, causal: boolean) {
  const phiQ = denseExpFeatures(SIZES, values.q, { shift: 'row', softmax: true });
  const phiK = denseExpFeatures(SIZES, values.k, { shift: 'row', softmax: true });
  return denseFeatureAttention(SIZES, phiQ, phiK, values.v, { causal, epsilon: 1e-6 });
}

describe(`softmax over features (row-wise exp map) on a WebGPU device (seed ${SEED})`, () => {
  it('state form, chunk sweep and decode steps agree with each other and float64', async () => {
    const { device } = await getTestDevice();
    const values = data(SEED);
    const outputs: Record<string, Float64Array> = {};
    for (const causal of [false, true]) {
      const { output } = applyLinearAttention(spec(causal), operands(N));
      const program = await compileLinear(device, makeGraph({ output }));
      outputs[causal ? 'sweep' : 'state'] = (await runLinear(program, values)).output!;
      program.destroy();
      const error = relativeError(outputs[causal ? 'sweep' : 'state']!, dense(values, causal));
      measured.push(
        `  ${causal ? 'causal, chunks of 8' : 'non-causal state form'}: ${error.toExponential(2)}`,
      );
      expect(error).toBeLessThan(TOLERANCE);
    }
    const causal = spec(true);
    const program = await compileLinearDecodeStep(device, causal, operands(1), B);
    const stepped = await decodeTokenByToken(program, values, { B, H, N, D, E });
    program.destroy();
    const versusDense = relativeError(stepped, dense(values, true));
    const versusSweep = relativeError(stepped, outputs.sweep!);
    measured.push(
      `  decode: steps vs f64 ${versusDense.toExponential(2)}, steps vs sweep ${versusSweep.toExponential(2)}`,
    );
    expect(versusDense).toBeLessThan(TOLERANCE);
    expect(versusSweep).toBeLessThan(TOLERANCE);
  });
});
