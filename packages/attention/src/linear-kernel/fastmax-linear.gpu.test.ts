import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseFastmax, denseFastmaxNormalize, type FastmaxSizes } from '../../test/dense-fastmax.js';
import {
  compileLinear,
  compileLinearDecodeStep,
  decodeTokenByToken,
  runLinear,
} from '../../test/run-linear.js';
import { fastmaxQueryKeyNorm } from '../fastmax-query-key-norm.js';
import { applyLinearAttention } from '../linear/apply-linear-attention.js';
import { taylorFeatures } from '../linear/feature-expansions.js';
import { identity } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';

// f32 kernels vs float64: weights f(s) in [1/2, 5/2] (|s| ≤ 1 after the normalization), sums of at
// most 21 positive weights over 45 Taylor features; measured near 2e-7. 1e-5 is the f32 budget.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`Fastmax linear form on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const SIZES: FastmaxSizes = { batch: 2, heads: 2, length: 21, headDim: 8, valueDim: 12 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

const spec = (causal: boolean) =>
  linearAttention({
    heads: H,
    headDim: D,
    valueDim: E,
    featureMap: identity(),
    featureExpansion: taylorFeatures({ degree: 2 }),
    denominator: { epsilon: 0 },
    causal,
    chunkSize: 8,
    name: 'fastmax',
  });

function data(seed: number) {
  return {
    q: randomTensor([B, H, N, D], { seed: seed + 1 }).data,
    k: randomTensor([B, H, N, D], { seed: seed + 2 }).data,
    v: randomTensor([B, H, N, E], { seed: seed + 3 }).data,
  };
}

const operands = (length: number, normalize: boolean) => {
  const rows = (name: string) => {
    const x = input(name, [B, H, length, D]);
    return normalize ? fastmaxQueryKeyNorm(x) : x;
  };
  return { query: rows('q'), key: rows('k'), value: input('v', [B, H, length, E]) };
};

describe(`Fastmax (catalog #26) linear form on a WebGPU device (seed ${SEED})`, () => {
  it('non-causal state form and causal chunk sweep, normalization included, match the paper', async () => {
    const { device } = await getTestDevice();
    const values = data(SEED);
    const q = denseFastmaxNormalize(SIZES, values.q);
    const k = denseFastmaxNormalize(SIZES, values.k);
    for (const causal of [false, true]) {
      const { output } = applyLinearAttention(spec(causal), operands(N, true));
      const program = await compileLinear(device, makeGraph({ output }));
      const result = (await runLinear(program, values)).output!;
      const kernels = program.stats.kernels;
      program.destroy();
      const expected = denseFastmax(SIZES, q, k, values.v, { degree: 2, temperature: 1, causal });
      const error = relativeError(result, expected);
      measured.push(
        `  ${causal ? 'causal, chunks of 8' : 'non-causal state form'}: ${error.toExponential(2)}, ${kernels} kernels`,
      );
      expect(error).toBeLessThan(TOLERANCE);
    }
  });

  it('decode steps on device-held states equal the chunk sweep and the paper', async () => {
    const { device } = await getTestDevice();
    const raw = data(SEED + 11);
    // The normalization divides by the largest token norm of the whole sequence: a decoder takes
    // normalized rows, so every form here gets the same normalized q and k.
    const values = {
      q: denseFastmaxNormalize(SIZES, raw.q),
      k: denseFastmaxNormalize(SIZES, raw.k),
      v: raw.v,
    };
    const causal = spec(true);
    const sweep = applyLinearAttention(causal, operands(N, false));
    const sweepProgram = await compileLinear(device, makeGraph({ output: sweep.output }));
    const whole = (await runLinear(sweepProgram, values)).output!;
    sweepProgram.destroy();

    const program = await compileLinearDecodeStep(device, causal, operands(1, false), B);
    const stepped = await decodeTokenByToken(program, values, { B, H, N, D, E });
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = denseFastmax(SIZES, values.q, values.k, values.v, {
      degree: 2,
      temperature: 1,
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
