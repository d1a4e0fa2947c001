import { decomposeExtensionOps, input, interpret, makeGraph, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseExpFeatures, denseFeatureAttention } from '../../test/dense-exp-features.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { expFeatures, reglaScale } from './exp-features.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

describe(`exponential and softmax feature maps, float64 (seed ${SEED})`, () => {
  it.each([
    ['exp, row max, causal', 'row', false, true],
    ['exp, key max over the sequence, non-causal', 'sequence', false, false],
    ['softmax over features, causal', 'row', true, true],
  ] as const)('%s: reference and decomposition = the formulas', (_, keyMax, softmax, causal) => {
    const sizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
    const spec = linearAttention({
      heads: 2,
      headDim: 4,
      valueDim: 3,
      featureMap: identity(),
      featureExpansion: expFeatures({ keyMax, softmax }),
      denominator: { epsilon: 1e-6 },
      causal,
      chunkSize: 4,
    });
    const q = randomTensor([2, 2, 9, 4], { seed: SEED + 1, min: -3, max: 3 }).data;
    const k = randomTensor([2, 2, 9, 4], { seed: SEED + 2, min: -3, max: 3 }).data;
    const v = randomTensor([2, 2, 9, 3], { seed: SEED + 3 }).data;
    const { output } = applyLinearAttention(spec, {
      query: input('q', [2, 2, 9, 4]),
      key: input('k', [2, 2, 9, 4]),
      value: input('v', [2, 2, 9, 3]),
    });
    const graph = makeGraph({ output });
    const phiQ = denseExpFeatures(sizes, q, { shift: 'row', softmax });
    const phiK = denseExpFeatures(sizes, k, { shift: keyMax, softmax });
    const expected = denseFeatureAttention(sizes, phiQ, phiK, v, { causal, epsilon: 1e-6 });
    expect(relativeError(interpret(graph, { inputs: { q, k, v } }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs: { q, k, v } }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('ReGLA’s scale c = 1/(e·√(d(e² − 1)))', () => {
    expect(reglaScale(16)).toBeCloseTo(1 / (Math.E * Math.sqrt(16 * (Math.E * Math.E - 1))), 15);
  });

  it('rejects bad options, naming them', () => {
    expect(() => expFeatures({ queryScale: 0 })).toThrow(SpecError);
    expect(() => expFeatures({ keyMax: 'column' as 'row' })).toThrow(/keyMax/);
  });
});
