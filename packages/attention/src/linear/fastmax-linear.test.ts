import { decomposeExtensionOps, input, interpret, makeGraph, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseFastmax, denseFastmaxNormalize } from '../../test/dense-fastmax.js';
import { ATTENTION_CATALOG } from '../catalog/attention-catalog.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { taylorFeatures } from './feature-expansions.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

describe(`Fastmax's linear form (catalog #26), float64 (seed ${SEED})`, () => {
  it.each([
    [2, 1],
    [2, 0.7],
    [1, 3],
  ] as const)('degree %i, T %d: φ(q)·φ(k) = f(q·k / T) for random rows', (degree, temperature) => {
    const d = 6;
    const rows = randomTensor([1, 1, 2, d], { seed: SEED + degree });
    const features = interpret(
      makeGraph({
        phi: taylorFeatures({ degree, temperature }).expand(
          input('x', [1, 1, 2, d]),
          input('y', [1, 1, 2, d]),
          'test',
        ).query,
      }),
      {
        inputs: { x: rows.data },
      },
    ).phi!;
    const count = features.shape[3] as number;
    expect(count).toBe(degree === 2 ? ((d + 1) * (d + 2)) / 2 : d + 1);
    let product = 0;
    for (let f = 0; f < count; f++) product += features.data[f]! * features.data[count + f]!;
    let s = 0;
    for (let a = 0; a < d; a++) s += rows.data[a]! * rows.data[d + a]!;
    s /= temperature;
    expect(Math.abs(product - (degree === 2 ? 1 + s + (s * s) / 2 : 1 + s))).toBeLessThan(F64);
  });

  it('the zoo instance equals the paper’s f(s)/Σf(s) and the quadratic fastmax entry', () => {
    const entry = LINEAR_ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'fastmax-linear')!;
    const { graph, inputs } = entry.build();
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const q = denseFastmaxNormalize(sizes, inputs.q!);
    const k = denseFastmaxNormalize(sizes, inputs.k!);
    const expected = denseFastmax(sizes, q, k, inputs.v!, { degree: 2, temperature: 1, causal: true });
    const linear = interpret(graph, { inputs }).output!.data;
    expect(relativeError(linear, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs }).output!.data, expected),
    ).toBeLessThan(F64);
    const quadratic = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'fastmax')!.build();
    const reference = interpret(quadratic.graph, { inputs: quadratic.inputs, params: quadratic.params })
      .output!.data;
    expect(relativeError(linear, reference)).toBeLessThan(F64);
  });

  it('non-causal: the state form equals the paper with every key', () => {
    const sizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
    const spec = linearAttention({
      heads: 2,
      headDim: 4,
      valueDim: 3,
      featureMap: identity(),
      featureExpansion: taylorFeatures({ degree: 2, temperature: 2 }),
      denominator: { epsilon: 0 },
    });
    const q = randomTensor([2, 2, 9, 4], { seed: SEED + 1 });
    const k = randomTensor([2, 2, 9, 4], { seed: SEED + 2 });
    const v = randomTensor([2, 2, 9, 3], { seed: SEED + 3 });
    const { output } = applyLinearAttention(spec, {
      query: input('q', q.shape),
      key: input('k', k.shape),
      value: input('v', v.shape),
    });
    const actual = interpret(makeGraph({ output }), { inputs: { q: q.data, k: k.data, v: v.data } }).output!
      .data;
    const expected = denseFastmax(sizes, q.data, k.data, v.data, {
      degree: 2,
      temperature: 2,
      causal: false,
    });
    expect(relativeError(actual, expected)).toBeLessThan(F64);
  });

  it('rejects a bad degree, a bad T, and more features than a row can hold, naming them', () => {
    expect(() => taylorFeatures({ degree: 3 as 2 })).toThrow(SpecError);
    expect(() => taylorFeatures({ degree: 2, temperature: 0 })).toThrow(/temperature/);
    expect(() =>
      linearAttention({
        heads: 1,
        headDim: 22,
        featureExpansion: taylorFeatures({ degree: 2 }),
        name: 'wide',
      }),
    ).toThrow(/wide.*taylor\(2, T 1\)/);
  });
});
