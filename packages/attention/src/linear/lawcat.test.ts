import { decomposeExtensionOps, input, interpret, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLawcat, type LawcatSizes } from '../../test/dense-lawcat.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { elu1 } from './feature-maps.js';
import { glaGate, lawcatCausalConv } from './lawcat.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_MAPS_CATALOG } from './linear-maps-catalog.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;

describe(`LAWCAT (catalog #97), float64 (seed ${SEED})`, () => {
  it('causal conv, GLA gate and the gated normalized sweep = the catalog recurrence', () => {
    const sizes: LawcatSizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
    const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = sizes;
    const spec = linearAttention({
      heads: H,
      headDim: D,
      valueDim: E,
      featureMap: elu1(),
      gated: true,
      causal: true,
      chunkSize: 4,
      name: 'lawcat',
    });
    const { output } = applyLinearAttention(spec, {
      query: lawcatCausalConv(input('q', [B, H, N, D]), 'lawcat.qConv').rows,
      key: lawcatCausalConv(input('k', [B, H, N, D]), 'lawcat.kConv').rows,
      value: input('v', [B, H, N, E]),
      gate: glaGate(input('gateLogits', [B, H, N, D])),
    });
    const values = {
      q: randomTensor([B, H, N, D], { seed: SEED + 1 }).data,
      k: randomTensor([B, H, N, D], { seed: SEED + 2 }).data,
      v: randomTensor([B, H, N, E], { seed: SEED + 3 }).data,
      gateLogits: randomTensor([B, H, N, D], { seed: SEED + 4, min: -3, max: 3 }).data,
    };
    const weights = {
      q: randomTensor([H * D, 1, 4], { seed: SEED + 5 }).data,
      k: randomTensor([H * D, 1, 4], { seed: SEED + 6 }).data,
    };
    const params = { 'lawcat.qConv': weights.q, 'lawcat.kConv': weights.k };
    const graph = makeGraph({ output });
    const expected = denseLawcat(sizes, values, weights, 1e-6);
    expect(relativeError(interpret(graph, { inputs: values, params }).output!.data, expected)).toBeLessThan(
      F64,
    );
    expect(
      relativeError(
        interpret(decomposeExtensionOps(graph), { inputs: values, params }).output!.data,
        expected,
      ),
    ).toBeLessThan(F64);
  });

  it('the zoo instance = the catalog recurrence', () => {
    const { graph, inputs, params } = LINEAR_MAPS_CATALOG.find(
      (entry) => entry.mechanism === 'lawcat',
    )!.build();
    const sizes: LawcatSizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
    const expected = denseLawcat(
      sizes,
      { q: inputs.q!, k: inputs.k!, v: inputs.v!, gateLogits: inputs.gateLogits! },
      { q: params['lawcat.qConv']!, k: params['lawcat.kConv']! },
      1e-6,
    );
    expect(relativeError(interpret(graph, { inputs, params }).output!.data, expected)).toBeLessThan(F64);
  });

  it('refuses rows that are not [B, H, N, d] and a past window of the wrong length', () => {
    expect(() => lawcatCausalConv(input('x', [4, 16]), 'c')).toThrow(/\[B, H, N, d\]/);
    expect(() => lawcatCausalConv(input('x', [1, 2, 5, 4]), 'c', input('p', [1, 2, 2, 4]))).toThrow(/past/);
    expect(() => glaGate(input('g', [1, 2, 5, 4]), 0)).toThrow(/temperature/);
  });
});
