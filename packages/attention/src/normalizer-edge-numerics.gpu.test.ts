import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { sinkCase } from '../test/sink-case.js';
import { entmax, identity, nap, polynomialNormalized, softplusNormalized, sparsemax } from './index.js';

const errors: Record<string, number> = {};

describe('attention normalizers at the edges on the GPU vs the float64 reference', () => {
  afterAll(() => {
    console.log('normalizer edge errors:', errors);
  });

  it('softplusNormalized of scores around −20 (softplus ≈ 2e-9, not 0)', async () => {
    // Tiled (Nq = 9) and split-keys (Nq = 1) kernels.
    for (const queries of [9, 1]) {
      const testCase = buildCase(
        { batch: 1, heads: 2, kvHeads: 2, queries, keys: 37, headDim: 4, valueDim: 8 },
        { normalizer: softplusNormalized() },
      );
      // q = 10, k in [−1.1, −0.9]: scores q·k/√4 in [−22, −18].
      testCase.inputs.q!.data.fill(10);
      const key = testCase.inputs.k!.data;
      for (let i = 0; i < key.length; i++) key[i] = -1 + 0.1 * Math.sin(7 * i);
      await runCase(testCase).then(({ outputs }) =>
        expectWithin(
          errors,
          `softplus s≈−20 Nq=${queries}`,
          outputs.output!,
          referenceOf(testCase).output!,
          1e-5,
        ),
      );
    }
  });

  it('softmax with a sink: log-sum-exp of a fully masked row is −∞ (tiled and split-keys kernels)', async () => {
    for (const queries of [9, 1]) {
      const testCase = sinkCase(queries);
      const { outputs } = await runCase(testCase);
      const reference = referenceOf(testCase).logSumExp!.data;
      const lse = Array.from(outputs.logSumExp!);
      expect(lse.slice(0, 2 * queries), `Nq=${queries} masked rows`).toEqual(
        Array(2 * queries).fill(-Infinity),
      );
      const kept = lse.slice(2 * queries);
      const error = Math.max(...kept.map((value, i) => Math.abs(value - reference[2 * queries + i]!)));
      errors[`sink lse Nq=${queries} (abs, kept rows)`] = error;
      expect(error).toBeLessThan(1e-5);
    }
  });

  it('sparsemax and 1.5-entmax of scores around 1.3e8 (ties at the max share the weight, not 0)', async () => {
    for (const [label, normalizer] of [
      ['sparsemax', sparsemax()],
      ['1.5-entmax', entmax({ alpha: 1.5 })],
    ] as const) {
      const testCase = buildCase(
        { batch: 1, heads: 2, kvHeads: 2, queries: 3, keys: 11, headDim: 4, valueDim: 8 },
        { normalizer },
      );
      // q = (2^28, 0, 0, 0), k_j = (c_j, 0, 0, 0) with c_j in {1, 0.5, 0.25}: scores 2^27·c_j, exact in f32.
      const query = testCase.inputs.q!.data;
      const key = testCase.inputs.k!.data;
      query.fill(0);
      key.fill(0);
      for (let i = 0; i < query.length; i += 4) query[i] = 2 ** 28;
      for (let j = 0; j < key.length / 4; j++) key[4 * j] = [1, 0.5, 0.25][j % 3]!;
      const { outputs } = await runCase(testCase);
      expectWithin(errors, `${label} s≈1.3e8`, outputs.output!, referenceOf(testCase).output!, 1e-6);
    }
  });

  it('identity with RMS and LayerNorm output norms of outputs around 1e30 (squares overflow f32)', async () => {
    for (const outputNorm of ['rms', 'layer'] as const) {
      const testCase = buildCase(
        { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 9, headDim: 4, valueDim: 8 },
        { normalizer: identity({ outputNorm }) },
      );
      // Scores q·k/2 with q, k around 2^50: about 1e30.
      const query = testCase.inputs.q!.data;
      const key = testCase.inputs.k!.data;
      for (let i = 0; i < query.length; i++) query[i] = 2 ** 50 * (1.5 + 0.5 * Math.sin(i));
      for (let i = 0; i < key.length; i++) key[i] = 2 ** 50 * (1.5 + 0.5 * Math.cos(3 * i));
      const { outputs } = await runCase(testCase);
      expectWithin(
        errors,
        `identity ${outputNorm} 1e30`,
        outputs.output!,
        referenceOf(testCase).output!,
        1e-5,
      );
    }
  });

  it('NAP of scores around 1e30 (Welford m2 overflows f32 unscaled)', async () => {
    const testCase = buildCase(
      { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 9, headDim: 4, valueDim: 8 },
      { normalizer: nap() },
    );
    const query = testCase.inputs.q!.data;
    const key = testCase.inputs.k!.data;
    for (let i = 0; i < query.length; i++) query[i] = 2 ** 50 * (1.5 + 0.5 * Math.sin(i));
    for (let i = 0; i < key.length; i++) key[i] = 2 ** 50 * Math.cos(3 * i);
    for (const name of Object.keys(testCase.inputs))
      if (name.endsWith('gain')) testCase.inputs[name]!.data.fill(1);
    const { outputs } = await runCase(testCase);
    expectWithin(errors, 'nap 1e30', outputs.output!, referenceOf(testCase).output!, 1e-5);
  });

  it('polynomial (degree 2) weights of scores around 1e30 (x² overflows f32 unscaled)', async () => {
    for (const queries of [5, 1]) {
      const testCase = buildCase(
        { batch: 1, heads: 2, kvHeads: 2, queries, keys: 9, headDim: 4, valueDim: 8 },
        { normalizer: polynomialNormalized({ degree: 2 }) },
      );
      const query = testCase.inputs.q!.data;
      const key = testCase.inputs.k!.data;
      for (let i = 0; i < query.length; i++) query[i] = 2 ** 50 * (1.5 + 0.5 * Math.sin(i));
      for (let i = 0; i < key.length; i++) key[i] = 2 ** 50 * Math.cos(3 * i);
      const { outputs } = await runCase(testCase);
      expectWithin(
        errors,
        `polynomial2 1e30 Nq=${queries}`,
        outputs.output!,
        referenceOf(testCase).output!,
        1e-5,
      );
    }
  });
});
