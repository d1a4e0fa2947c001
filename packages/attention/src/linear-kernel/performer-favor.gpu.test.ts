import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { densePerformer, type PerformerSizes } from '../../test/dense-performer.js';
import {
  compileLinear,
  compileLinearDecodeStep,
  decodeTokenByToken,
  runLinear,
} from '../../test/run-linear.js';
import { applyLinearAttention } from '../linear/apply-linear-attention.js';
import { favorFeatures } from '../linear/favor-features.js';
import { identity } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';

// f32 kernels vs float64: features exp(·) ≤ 1 + ε after the stabilizer (the device's exp adds a
// few ulps to each), ratios of sums of at most 21 positive weights over 32 features; measured
// near 5e-7. 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`Performer FAVOR+ on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const SIZES: PerformerSizes = { batch: 2, heads: 2, length: 21, headDim: 8, valueDim: 12 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;
const M = 32;

function spec(causal: boolean, keyStabilizer: 'sequence' | 'row') {
  const favor = favorFeatures({ headDim: D, features: M, seed: SEED % 10007, keyStabilizer });
  return {
    favor,
    spec: linearAttention({
      heads: H,
      headDim: D,
      valueDim: E,
      featureMap: identity(),
      featureExpansion: favor,
      denominator: { epsilon: 0 },
      causal,
      chunkSize: 8,
      name: 'performer',
    }),
  };
}

function data(seed: number) {
  return {
    q: randomTensor([B, H, N, D], { seed: seed + 1 }).data,
    k: randomTensor([B, H, N, D], { seed: seed + 2 }).data,
    v: randomTensor([B, H, N, E], { seed: seed + 3 }).data,
  };
}

const operands = (length: number) => ({
  query: input('q', [B, H, length, D]),
  key: input('k', [B, H, length, D]),
  value: input('v', [B, H, length, E]),
});

describe(`Performer FAVOR+ (catalog #78) on a WebGPU device (seed ${SEED})`, () => {
  it('non-causal state form and causal chunk sweep (key max over the sequence) match the paper', async () => {
    const { device } = await getTestDevice();
    const values = data(SEED);
    for (const causal of [false, true]) {
      const { favor, spec: built } = spec(causal, 'sequence');
      const { output } = applyLinearAttention(built, operands(N));
      const program = await compileLinear(device, makeGraph({ output }));
      const result = (await runLinear(program, values)).output!;
      const kernels = program.stats.kernels;
      program.destroy();
      const expected = densePerformer(SIZES, values.q, values.k, values.v, {
        projection: favor.projection,
        features: M,
        epsilon: 1e-4,
        keyStabilizer: 'sequence',
        causal,
      });
      const error = relativeError(result, expected);
      measured.push(
        `  ${causal ? 'causal, chunks of 8' : 'non-causal state form'}: ${error.toExponential(2)}, ${kernels} kernels`,
      );
      expect(error).toBeLessThan(TOLERANCE);
    }
  });

  it('decode steps (key max per row) on device-held states equal the chunk sweep and the paper', async () => {
    const { device } = await getTestDevice();
    const values = data(SEED + 11);
    const { favor, spec: causal } = spec(true, 'row');
    const sweep = applyLinearAttention(causal, operands(N));
    const sweepProgram = await compileLinear(device, makeGraph({ output: sweep.output }));
    const whole = (await runLinear(sweepProgram, values)).output!;
    sweepProgram.destroy();

    const program = await compileLinearDecodeStep(device, causal, operands(1), B);
    const stepped = await decodeTokenByToken(program, values, { B, H, N, D, E });
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = densePerformer(SIZES, values.q, values.k, values.v, {
      projection: favor.projection,
      features: M,
      epsilon: 1e-4,
      keyStabilizer: 'row',
      causal: true,
    });
    const versusDense = relativeError(stepped, expected);
    const versusSweep = relativeError(stepped, whole);
    measured.push(
      `  decode: steps vs f64 ${versusDense.toExponential(2)}, steps vs sweep ${versusSweep.toExponential(2)}, sweep vs f64 ${relativeError(whole, expected).toExponential(2)}, ${kernels} kernels per step`,
    );
    expect(versusDense).toBeLessThan(TOLERANCE);
    expect(versusSweep).toBeLessThan(TOLERANCE);
    expect(relativeError(whole, expected)).toBeLessThan(TOLERANCE);
  });
});
