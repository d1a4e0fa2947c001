import { decomposeExtensionOps, input, interpret, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLln } from '../../test/dense-lln.js';
import { denseDiagAttention } from '../../test/dense-transnormer.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';
import { llnFeatures } from './lln-features.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

describe(`LLN attention (catalog #17), float64 (seed ${SEED})`, () => {
  it.each([false, true])('causal %s: reference and decomposition = the paper', (causal) => {
    const sizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
    const spec = linearAttention({
      heads: 2,
      headDim: 4,
      valueDim: 3,
      featureMap: identity(),
      featureExpansion: llnFeatures(),
      denominator: { epsilon: 1e-8 },
      causal,
      chunkSize: 4,
    });
    const q = randomTensor([2, 2, 9, 4], { seed: SEED + 1, min: -2, max: 2 }).data;
    const k = randomTensor([2, 2, 9, 4], { seed: SEED + 2 }).data;
    const v = randomTensor([2, 2, 9, 3], { seed: SEED + 3 }).data;
    const { output } = applyLinearAttention(spec, {
      query: input('q', [2, 2, 9, 4]),
      key: input('k', [2, 2, 9, 4]),
      value: input('v', [2, 2, 9, 3]),
    });
    const graph = makeGraph({ output });
    const expected = denseLln(sizes, q, k, v, { epsilon: 1e-8, causal });
    expect(relativeError(interpret(graph, { inputs: { q, k, v } }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs: { q, k, v } }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('the zoo instances: LLN alone, and LLN+Diag = ½ LLN + ½ softmax inside diagonal blocks of d', () => {
    const sizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const build = (mechanism: string) =>
      LINEAR_ATTENTION_CATALOG.find((entry) => entry.mechanism === mechanism)!.build();
    const alone = build('lln-attention');
    const lln = denseLln(sizes, alone.inputs.q!, alone.inputs.k!, alone.inputs.v!, {
      epsilon: 1e-8,
      causal: true,
    });
    expect(relativeError(interpret(alone.graph, { inputs: alone.inputs }).output!.data, lln)).toBeLessThan(
      F64,
    );
    const mixed = build('lln-diag-attention');
    const diag = denseDiagAttention(sizes, mixed.inputs.q!, mixed.inputs.k!, mixed.inputs.v!, {
      block: 16,
      causal: true,
    });
    const expected = lln.map((value, i) => 0.5 * value + 0.5 * diag[i]!);
    expect(
      relativeError(interpret(mixed.graph, { inputs: mixed.inputs }).output!.data, expected),
    ).toBeLessThan(F64);
  });
});
