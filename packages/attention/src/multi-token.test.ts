import { input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMultiToken } from '../test/dense-multi-token.js';
import { denseOptionsOf, MULTI_TOKEN_CASES } from '../test/multi-token-cases.js';
import { applyAttention } from './apply-attention.js';
import { multiTokenParameterNames } from './apply-multi-token.js';
import { multiTokenInstance } from './catalog/multi-token-attention-entry.js';
import { causal, slidingWindow } from './masks/builtin-masks.js';
import { attention } from './spec/attention-spec.js';
import { multiTokenConvolution } from './spec/multi-token.js';
import { sigmoid } from './spec/normalizers.js';
import { softcap } from './spec/score-mods.js';

/** Both float64: the op's row-at-a-time loops vs the dense map differ in summation order only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Multi-Token Attention (catalog #43) in float64', () => {
  for (const options of MULTI_TOKEN_CASES) {
    it(`${options.name}: the interpreter matches the dense formula written from the paper`, () => {
      const instance = multiTokenInstance(options);
      const reference = interpret(instance.graph, { inputs: instance.inputs, params: instance.params });
      const values = { ...instance.inputs, ...instance.params };
      const dense = denseMultiToken(values, multiTokenParameterNames(options.name), denseOptionsOf(options));
      expect(relativeError(reference.output!.data, dense)).toBeLessThan(FLOAT64_TOLERANCE);
    });
  }

  it('the identity kernel and identity head mix give causal softmax attention', () => {
    const shape = [1, 4, 9, 8];
    const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, shape));
    const plain = applyAttention(attention({ name: 'plain', heads: 4, headDim: 8, mask: causal() }), {
      query: q!,
      key: k!,
      value: v!,
    }).output;
    const scoreMap = multiTokenConvolution({ queryKernel: 2, keyKernel: 3, headMixing: { groupSize: 2 } });
    const mta = applyAttention(attention({ name: 'mta', heads: 4, headDim: 8, mask: causal(), scoreMap }), {
      query: q!,
      key: k!,
      value: v!,
    }).output;
    const identityKernel = Float32Array.from({ length: 4 * 6 }, (_, index) => (index % 6 === 4 ? 1 : 0));
    const identityMix = Float32Array.from({ length: 2 * 4 }, (_, index) =>
      index % 4 === 0 || index % 4 === 3 ? 1 : 0,
    );
    const data = (seed: number) =>
      Float32Array.from({ length: 4 * 9 * 8 }, (_, i) => Math.sin(seed * 7 + i * 1.3));
    const results = interpret(makeGraph({ plain, mta }), {
      inputs: { q: data(1), k: data(2), v: data(3) },
      params: { 'mta.scoreMap.kernel': identityKernel, 'mta.scoreMap.headMix': identityMix },
    });
    expect(relativeError(results.mta!.data, results.plain!.data)).toBeLessThan(FLOAT64_TOLERANCE);
  });
});

describe('Multi-Token Attention: bad input', () => {
  const spec = (scoreMap: ReturnType<typeof multiTokenConvolution>, extra = {}) =>
    attention({ name: 'layers.0.attn', heads: 6, headDim: 8, mask: causal(), scoreMap, ...extra });

  it('refuses kernel sizes that are not positive, or an even key kernel, naming the option', () => {
    expect(() => multiTokenConvolution({ queryKernel: 0, keyKernel: 3 })).toThrow(SpecError);
    expect(() => multiTokenConvolution({ queryKernel: 0, keyKernel: 3 })).toThrow(/queryKernel/);
    expect(() => multiTokenConvolution({ queryKernel: 2, keyKernel: 4 })).toThrow(/keyKernel.*odd/);
    expect(() => multiTokenConvolution({ queryKernel: 2.5, keyKernel: 3 })).toThrow(/queryKernel/);
    expect(() => multiTokenConvolution({ queryKernel: 32, keyKernel: 31 })).toThrow(/at most 256/);
    expect(() =>
      multiTokenConvolution({
        queryKernel: 2,
        keyKernel: 3,
        headMixing: { groupSize: 2, placement: 'after' as never },
      }),
    ).toThrow(/placement/);
  });

  it('refuses head groups that do not divide the heads, naming the block and the part', () => {
    const scoreMap = multiTokenConvolution({ queryKernel: 2, keyKernel: 3, headMixing: { groupSize: 4 } });
    expect(() => spec(scoreMap)).toThrow(SpecError);
    expect(() => spec(scoreMap)).toThrow(
      /layers\.0\.attn.*scoreMap\.headMixing\.groupSize \(4\) must divide heads \(6\)/,
    );
  });

  it('refuses parts the kernels do not compute, and forged parts', () => {
    const scoreMap = multiTokenConvolution({ queryKernel: 2, keyKernel: 3 });
    expect(() => spec(scoreMap, { normalizer: sigmoid() })).toThrow(/softmax/);
    expect(() => spec(scoreMap, { mask: slidingWindow(4) })).toThrow(/causal/);
    expect(() => spec(scoreMap, { score: softcap(30) })).toThrow(/score mods/);
    expect(() => spec(scoreMap, { outputs: { logSumExp: true } })).toThrow(/O only/);
    expect(() => spec({ ...scoreMap })).toThrow(/scoreMap must come from multiTokenConvolution/);
  });

  it('refuses causal queries and keys of different lengths (no cached decoding)', () => {
    const scoreMap = multiTokenConvolution({ queryKernel: 2, keyKernel: 3 });
    expect(() =>
      applyAttention(spec(scoreMap), {
        query: input('q', [1, 6, 1, 8]),
        key: input('k', [1, 6, 5, 8]),
        value: input('v', [1, 6, 5, 8]),
      }),
    ).toThrow(ShapeError);
  });

  it('refuses a bound tensor the spec does not read', () => {
    const scoreMap = multiTokenConvolution({ queryKernel: 2, keyKernel: 3 });
    const x = input('x', [1, 6, 4, 8]);
    expect(() =>
      applyAttention(spec(scoreMap), {
        query: x,
        key: x,
        value: x,
        tensors: { 'layers.0.attn.scoreMap.headMix': x },
      }),
    ).toThrow(/not read by the spec/);
  });
});
