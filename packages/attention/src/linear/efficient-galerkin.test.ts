import { decomposeExtensionOps, input, interpret, makeGraph, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  denseAaren,
  denseEfficientAttention,
  denseGalerkinAttention,
} from '../../test/dense-efficient-galerkin.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { efficientAttentionFeatures } from './efficient-attention.js';
import { identity } from './feature-maps.js';
import { galerkinOperands } from './galerkin-attention.js';
import { linearAttention } from './linear-attention-spec.js';
import { LINEAR_ATTENTION_CATALOG } from './linear-catalog.js';

const F64 = 1e-12;
const SIZES = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
const build = (mechanism: string) =>
  LINEAR_ATTENTION_CATALOG.find((entry) => entry.mechanism === mechanism)!.build();

describe('Efficient Attention, Galerkin attention and Aaren, float64', () => {
  it('Efficient Attention (zoo graph, reference and decomposition) = ρ_q(Q)(ρ_k(K)ᵀV)', () => {
    const { graph, inputs } = build('efficient-attention');
    const expected = denseEfficientAttention(SIZES, inputs.q!, inputs.k!, inputs.v!);
    expect(relativeError(interpret(graph, { inputs }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('Galerkin attention (zoo graph, reference and decomposition) = Q(LN_K(K)ᵀ LN_V(V))/n', () => {
    const { graph, inputs, params } = build('galerkin-attention');
    const expected = denseGalerkinAttention(SIZES, inputs.q!, inputs.k!, inputs.v!, {
      keyGain: params['galerkin.key.gamma']!,
      keyBias: params['galerkin.key.beta']!,
      valueGain: params['galerkin.value.gamma']!,
      valueBias: params['galerkin.value.beta']!,
    });
    expect(relativeError(interpret(graph, { inputs, params }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs, params }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('Aaren (zoo graph, reference and decomposition) = its prefix scan over (m, u, w)', () => {
    const { graph, inputs, params } = build('aaren');
    const expected = denseAaren(SIZES, params['aaren.query']!, inputs.k!, inputs.v!);
    expect(relativeError(interpret(graph, { inputs, params }).output!.data, expected)).toBeLessThan(F64);
    expect(
      relativeError(interpret(decomposeExtensionOps(graph), { inputs, params }).output!.data, expected),
    ).toBeLessThan(F64);
  });

  it('the scaling variant divides by √n; bad input is named', () => {
    const spec = linearAttention({
      heads: 1,
      headDim: 2,
      featureMap: identity(),
      featureExpansion: efficientAttentionFeatures('scaling'),
      denominator: false,
    });
    const q = [1, 2, 3, 4, 5, 6, 7, 8];
    const { output } = applyLinearAttention(spec, {
      query: input('q', [1, 1, 4, 2]),
      key: input('k', [1, 1, 4, 2]),
      value: input('v', [1, 1, 4, 2]),
    });
    const plain = denseEfficientAttention(
      { batch: 1, heads: 1, length: 4, headDim: 2, valueDim: 2 },
      q,
      q,
      q,
    );
    const got = interpret(makeGraph({ output }), { inputs: { q, k: q, v: q } }).output!.data;
    // ρ = Y/√n on both sides: Q(KᵀV)/n, checked on element [0, 0] by hand: Σ_t k_t0 v_t0 = 84, Σ k_t0 v_t1 = 100.
    expect(got[0]).toBeCloseTo((1 * 84 + 2 * 100) / 4, 10);
    expect(plain[0]).not.toBeCloseTo(got[0]!, 3);
    expect(() => efficientAttentionFeatures('max' as 'softmax')).toThrow(SpecError);
    expect(() => galerkinOperands(input('q', [4, 2]), input('k', [4, 2]), input('v', [4, 2]), 'g')).toThrow(
      /galerkin|Galerkin/,
    );
  });
});
