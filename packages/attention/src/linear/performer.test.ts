import { decomposeExtensionOps, input, interpret, makeGraph, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { densePerformer, denseSoftmaxAttention, type PerformerSizes } from '../../test/dense-performer.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { favorFeatures } from './favor-features.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

function performer(
  sizes: PerformerSizes,
  options: { features: number; seed: number; causal: boolean; keyStabilizer?: 'row' | 'sequence' },
) {
  const favor = favorFeatures({
    headDim: sizes.headDim,
    features: options.features,
    seed: options.seed,
    ...(options.keyStabilizer === undefined ? {} : { keyStabilizer: options.keyStabilizer }),
  });
  const spec = linearAttention({
    heads: sizes.heads,
    headDim: sizes.headDim,
    valueDim: sizes.valueDim,
    featureMap: identity(),
    featureExpansion: favor,
    denominator: { epsilon: 0 },
    causal: options.causal,
    chunkSize: 4,
  });
  const { batch: b, heads: h, length: n, headDim: d, valueDim: e } = sizes;
  const { output } = applyLinearAttention(spec, {
    query: input('q', [b, h, n, d]),
    key: input('k', [b, h, n, d]),
    value: input('v', [b, h, n, e]),
  });
  return { favor, graph: makeGraph({ output }) };
}

describe(`Performer FAVOR+ (catalog #78), float64 (seed ${SEED})`, () => {
  it('draws ω block-orthogonal, scaled by χ(d) norms, the same for a seed', () => {
    const { projection } = favorFeatures({ headDim: 6, features: 15, seed: 3 });
    const row = (r: number) => Array.from(projection.subarray(r * 6, r * 6 + 6));
    for (const [first, last] of [
      [0, 6],
      [6, 12],
      [12, 15],
    ] as const)
      for (let a = first; a < last; a++)
        for (let b = a + 1; b < last; b++) {
          const dot = row(a).reduce((s, value, c) => s + value * row(b)[c]!, 0);
          expect(Math.abs(dot), `rows ${a}, ${b}`).toBeLessThan(1e-12);
        }
    expect(favorFeatures({ headDim: 6, features: 15, seed: 3 }).projection).toEqual(projection);
    expect(favorFeatures({ headDim: 6, features: 15, seed: 4 }).projection).not.toEqual(projection);
    expect(favorFeatures({ headDim: 16 }).features).toBe(44);
  });

  it.each([
    ['non-causal, key max over the sequence', false, 'sequence'],
    ['causal, key max over the sequence', true, 'sequence'],
    ['causal, key max per row', true, 'row'],
  ] as const)(
    '%s: reference and decomposition = the paper’s D⁻¹(φ(Q)(φ(K)ᵀV))',
    (_, causal, keyStabilizer) => {
      const sizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
      const { favor, graph } = performer(sizes, { features: 12, seed: SEED % 1000, causal, keyStabilizer });
      const q = randomTensor([2, 2, 9, 4], { seed: SEED + 1 }).data;
      const k = randomTensor([2, 2, 9, 4], { seed: SEED + 2 }).data;
      const v = randomTensor([2, 2, 9, 3], { seed: SEED + 3 }).data;
      const expected = densePerformer(sizes, q, k, v, {
        projection: favor.projection,
        features: 12,
        epsilon: 1e-4,
        keyStabilizer,
        causal,
      });
      const inputs = { q, k, v };
      expect(relativeError(interpret(graph, { inputs }).output!.data, expected)).toBeLessThan(F64);
      expect(
        relativeError(interpret(decomposeExtensionOps(graph), { inputs }).output!.data, expected),
      ).toBeLessThan(F64);
    },
  );

  it('estimates softmax attention: the mean over 16 draws of 256 features comes near softmax(q·k/√d)V', () => {
    // The estimator's relative variance grows like e^‖q̂ + k̂‖² / m: rows of small norm keep it
    // low, and the mean over 16 seeds of ω divides it by 16 again.
    const sizes = { batch: 1, heads: 2, length: 16, headDim: 8, valueDim: 4 };
    const small = { min: -0.4, max: 0.4 };
    const q = randomTensor([1, 2, 16, 8], { seed: SEED + 5, ...small }).data;
    const k = randomTensor([1, 2, 16, 8], { seed: SEED + 6, ...small }).data;
    const v = randomTensor([1, 2, 16, 4], { seed: SEED + 7 }).data;
    const estimate = new Float64Array(2 * 16 * 4);
    for (let draw = 0; draw < 16; draw++) {
      const { graph } = performer(sizes, { features: 256, seed: SEED + draw, causal: false });
      const output = interpret(graph, { inputs: { q, k, v } }).output!.data;
      output.forEach((value, i) => {
        estimate[i]! += value / 16;
      });
    }
    const exact = denseSoftmaxAttention(sizes, q, k, v);
    // The plain mean of V (every score equal) as the yardstick to beat.
    const mean = new Float64Array(exact.length);
    for (let bh = 0; bh < 2; bh++)
      for (let j = 0; j < 16; j++)
        for (let c = 0; c < 4; c++)
          for (let i = 0; i < 16; i++) mean[(bh * 16 + i) * 4 + c]! += v[(bh * 16 + j) * 4 + c]! / 16;
    const error = relativeError(estimate, exact);
    console.log(
      `FAVOR+ (16 × m 256) vs softmax: ${error.toExponential(2)}; mean of V vs softmax: ${relativeError(mean, exact).toExponential(2)}`,
    );
    expect(error).toBeLessThan(0.35 * relativeError(mean, exact));
  });

  it('the zoo instance is non-causal FAVOR+ with 64 seeded features', () => {
    const entry = LINEAR_ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'performer-favor')!;
    const { graph, inputs } = entry.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const favor = favorFeatures({ headDim: 16, features: 64, seed: 78 });
    const expected = densePerformer(sizes, inputs.q!, inputs.k!, inputs.v!, {
      projection: favor.projection,
      features: 64,
      epsilon: 1e-4,
      keyStabilizer: 'sequence',
      causal: false,
    });
    expect(relativeError(interpret(graph, { inputs }).output!.data, expected)).toBeLessThan(F64);
  });

  it('rejects bad options, naming them', () => {
    expect(() => favorFeatures({ headDim: 0 })).toThrow(SpecError);
    expect(() => favorFeatures({ headDim: 8, features: 0 })).toThrow(/features/);
    expect(() => favorFeatures({ headDim: 8, epsilon: -1 })).toThrow(/epsilon/);
    expect(() => favorFeatures({ headDim: 8, seed: 0.5 })).toThrow(/seed/);
    expect(() =>
      linearAttention({
        heads: 1,
        headDim: 8,
        featureExpansion: favorFeatures({ headDim: 8, features: 300 }),
      }),
    ).toThrow(/favor\+/);
  });
});
