import { input, interpret, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  denseNormAttention,
  type MergedHeadsNorm,
  type TransnormerSizes,
} from '../../test/dense-transnormer.js';
import { compileLinear, decodeTokenByToken, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention, linearAttentionStateInputs } from '../linear/apply-linear-attention.js';
import { elu1 } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';
import { type LinearOutputNorm, transnormerOutputNorm } from '../linear/output-norm.js';

// f32 kernels vs float64: unnormalized sums of at most 21 products of positive features (no
// cancellation in φ(q)·φ(k)), then a norm over 3·12 entries; measured near 1e-7. 1e-5 is the f32
// budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() =>
  console.log(`TransNormer NormAttention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

const SIZES: TransnormerSizes = { batch: 2, heads: 3, length: 21, headDim: 8, valueDim: 12 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

const NORMS: readonly (readonly [string, LinearOutputNorm, MergedHeadsNorm])[] = [
  ['RMSNorm, ε outside (reference code)', transnormerOutputNorm(), { kind: 'rms-outside', epsilon: 1e-8 }],
  ['LayerNorm, ε 1e-5', { kind: 'layer', epsilon: 1e-5, across: 'heads' }, { kind: 'layer', epsilon: 1e-5 }],
];

function spec(norm: LinearOutputNorm, causal: boolean) {
  return linearAttention({
    heads: H,
    headDim: D,
    valueDim: E,
    featureMap: elu1(),
    denominator: false,
    outputNorm: norm,
    causal,
    chunkSize: 8,
    name: 'norm-attention',
  });
}

function data(seed: number, length = N) {
  return {
    q: randomTensor([B, H, length, D], { seed: seed + 1 }).data,
    k: randomTensor([B, H, length, D], { seed: seed + 2 }).data,
    v: randomTensor([B, H, length, E], { seed: seed + 3 }).data,
  };
}

const operands = (length: number) => ({
  query: input('q', [B, H, length, D]),
  key: input('k', [B, H, length, D]),
  value: input('v', [B, H, length, E]),
});

describe(`TransNormer NormAttention (catalog #49) on a WebGPU device (seed ${SEED})`, () => {
  it.each(NORMS)(
    '%s: non-causal state form and causal chunk sweep match the paper in float64',
    async (label, norm, dense) => {
      const { device } = await getTestDevice();
      const values = data(SEED);
      for (const causal of [false, true]) {
        const applied = applyLinearAttention(spec(norm, causal), { ...operands(N), returnState: causal });
        const program = await compileLinear(
          device,
          makeGraph({ output: applied.output, ...(causal ? { state: applied.state!.values } : {}) }),
        );
        const result = await runLinear(program, values);
        const kernels = program.stats.kernels;
        program.destroy();
        const expected = denseNormAttention(SIZES, values.q, values.k, values.v, { causal, norm: dense });
        const error = relativeError(result.output!, expected.output);
        measured.push(
          `  ${label}, ${causal ? 'causal chunks of 8' : 'non-causal'}: ${error.toExponential(2)}, ${kernels} kernels`,
        );
        expect(error).toBeLessThan(TOLERANCE);
        if (causal) expect(relativeError(result.state!, expected.state)).toBeLessThan(TOLERANCE);
        // The linear-attention kernel, the fused norm (and the state kernel).
        expect(kernels).toBe(causal ? 3 : 2);
      }
    },
  );

  it('a norm per head (ε inside) matches the float64 reference, causal and not', async () => {
    const { device } = await getTestDevice();
    const values = data(SEED + 5);
    for (const causal of [false, true]) {
      const norm: LinearOutputNorm = { kind: 'rms', epsilon: 1e-6, across: 'head' };
      const graph = makeGraph({ output: applyLinearAttention(spec(norm, causal), operands(N)).output });
      const program = await compileLinear(device, graph);
      const result = (await runLinear(program, values)).output!;
      program.destroy();
      // The reference is checked against the paper-side formula per head in transnormer.test.ts.
      const error = relativeError(result, interpret(graph, { inputs: values }).output!.data);
      measured.push(`  RMSNorm per head, ${causal ? 'causal' : 'non-causal'}: ${error.toExponential(2)}`);
      expect(error).toBeLessThan(TOLERANCE);
    }
  });

  it('decode steps on a device-held state equal the chunk sweep and the paper', async () => {
    const { device } = await getTestDevice();
    const [, norm, dense] = NORMS[0]!;
    const causalSpec = spec(norm, true);
    const values = data(SEED + 11);
    const sweep = applyLinearAttention(causalSpec, operands(N));
    const sweepProgram = await compileLinear(device, makeGraph({ output: sweep.output }));
    const whole = (await runLinear(sweepProgram, values)).output!;
    sweepProgram.destroy();

    const state = linearAttentionStateInputs(causalSpec, B, 'layer');
    const step = applyLinearAttention(causalSpec, { ...operands(1), state });
    const program = await compileLinear(
      device,
      makeGraph({ output: step.output, 'layer.state': step.state!.values }),
      { 'layer.state': 'layer.state' },
    );
    const stepped = await decodeTokenByToken(program, values, { B, H, N, D, E });
    const kernels = program.stats.kernels;
    program.destroy();
    const expected = denseNormAttention(SIZES, values.q, values.k, values.v, { causal: true, norm: dense });
    const versusDense = relativeError(stepped, expected.output);
    const versusSweep = relativeError(stepped, whole);
    measured.push(
      `  decode: steps vs f64 ${versusDense.toExponential(2)}, steps vs sweep ${versusSweep.toExponential(2)}, ${kernels} kernels per step`,
    );
    expect(versusDense).toBeLessThan(TOLERANCE);
    expect(versusSweep).toBeLessThan(TOLERANCE);
    expect(relativeError(whole, expected.output)).toBeLessThan(TOLERANCE);
    expect(kernels).toBe(3);
  });
});
