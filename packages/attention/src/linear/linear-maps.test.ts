import { decomposeExtensionOps, type Graph, input, interpret, makeGraph, silu, tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMala, denseNala, denseTransnormerLrpe, type MapSizes } from '../../test/dense-linear-maps.js';
import { denseNormLinearAttention } from '../../test/dense-norm-linear-attention.js';
import { applyLinearAttention, linearAttentionStateInputs } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { linearAttention } from './linear-attention-spec.js';
import { lightningLinearDecay } from './linear-decay.js';
import { LINEAR_MAPS_CATALOG } from './linear-maps-catalog.js';
import { lrpeFeatures, lrpeThetaInit } from './lrpe-features.js';
import { applyMalaAttention, malaAttention } from './mala-attention.js';
import { nalaFeatures } from './nala-features.js';

const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;
const SIZES: MapSizes = { batch: 2, heads: 2, length: 9, headDim: 4, valueDim: 3 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

function data(seed: number) {
  return {
    q: randomTensor([B, H, N, D], { seed: seed + 1, min: -2, max: 2 }).data,
    k: randomTensor([B, H, N, D], { seed: seed + 2 }).data,
    v: randomTensor([B, H, N, E], { seed: seed + 3 }).data,
  };
}

const operands = (length = N) => ({
  query: input('q', [B, H, length, D]),
  key: input('k', [B, H, length, D]),
  value: input('v', [B, H, length, E]),
});

/** The reference and the decomposition into built-in ops, each vs the dense formula. */
function expectBoth(
  graph: Graph,
  inputs: Record<string, ArrayLike<number>>,
  expected: Float64Array,
  params = {},
) {
  const run = (g: Graph) => interpret(g, { inputs, params }).output!.data;
  expect(relativeError(run(graph), expected)).toBeLessThan(F64);
  expect(relativeError(run(decomposeExtensionOps(graph)), expected)).toBeLessThan(F64);
}

describe(`norm-aware, LRPE and magnitude-aware linear attention, float64 (seed ${SEED})`, () => {
  it.each([false, true])('NaLaFormer (#16) features, causal %s = the paper', (causal) => {
    const epsilon = causal ? 1e-6 : N * 1e-6;
    const spec = linearAttention({
      heads: H,
      headDim: D,
      valueDim: E,
      featureMap: identity(),
      featureExpansion: nalaFeatures(),
      denominator: { epsilon },
      causal,
      chunkSize: 4,
    });
    expect(spec.featureDim).toBe(2 * D);
    const values = data(SEED);
    const { output } = applyLinearAttention(spec, operands());
    const expected = denseNala(SIZES, values.q, values.k, values.v, {
      causal,
      epsilon: causal ? epsilon : 1e-6,
    });
    expectBoth(makeGraph({ output }), values, expected);
  });

  it('TransNormerLLM with LRPE (#19): SiLU, LRPE, Lightning decay = Σ λ^(i−j) Σ q k cos(θ(i−j)) v', () => {
    const decay = lightningLinearDecay(H, 1, 4);
    const spec = linearAttention({
      heads: H,
      headDim: D,
      valueDim: E,
      featureMap: identity(),
      featureExpansion: lrpeFeatures(),
      denominator: false,
      decay,
      causal: true,
      chunkSize: 4,
      name: 'tnl',
    });
    const values = data(SEED + 10);
    const theta = randomTensor([H, D], { seed: SEED + 14, min: 0.05, max: 1 }).data;
    const { query, key, value } = operands();
    const { output } = applyLinearAttention(spec, { query: silu(query), key: silu(key), value });
    const expected = denseTransnormerLrpe(SIZES, values.q, values.k, values.v, theta, decay.rates);
    expectBoth(makeGraph({ output }), values, expected, { 'tnl.lrpe.theta': theta });
  });

  it('LRPE with a position offset: rows past..N−1 of a call = the same rows of the whole sequence', () => {
    const past = 5;
    const spec = (offset?: ReturnType<typeof input>) =>
      linearAttention({
        heads: H,
        headDim: D,
        valueDim: E,
        featureMap: identity(),
        featureExpansion: lrpeFeatures(offset === undefined ? {} : { positionOffset: offset }),
        denominator: false,
        causal: true,
        name: 'tnl',
      });
    const params = { 'tnl.lrpe.theta': lrpeThetaInit(H, D).map((t) => t + 0.3) };
    const values = data(SEED + 20);
    const whole = applyLinearAttention(spec(), { ...operands(), returnState: true });
    const expectedState = interpret(makeGraph({ state: whole.state!.values }), { inputs: values, params })
      .state!;
    // The first `past` rows, their state, then the rest continued at positions past, past + 1, …
    const head = applyLinearAttention(spec(), { ...operands(past), returnState: true });
    const tail = (x: Float64Array, width: number, from: number, to: number) => {
      const out: number[] = [];
      for (let bh = 0; bh < B * H; bh++)
        for (let t = from; t < to; t++)
          for (let c = 0; c < width; c++) out.push(x[(bh * N + t) * width + c]!);
      return out;
    };
    const first = interpret(makeGraph({ state: head.state!.values }), {
      inputs: { q: tail(values.q, D, 0, past), k: tail(values.k, D, 0, past), v: tail(values.v, E, 0, past) },
      params,
    }).state!;
    const offsetSpec = spec(input('past', [1], 'i32'));
    const state = linearAttentionStateInputs(offsetSpec, B, 'tnl');
    const rest = applyLinearAttention(offsetSpec, { ...operands(N - past), state });
    const results = interpret(makeGraph({ output: rest.output, state: rest.state!.values }), {
      inputs: {
        q: tail(values.q, D, past, N),
        k: tail(values.k, D, past, N),
        v: tail(values.v, E, past, N),
        past: tensor64([1], [past], 'i32'),
        'tnl.state': first,
      },
      params,
    });
    const full = interpret(makeGraph({ output: whole.output }), { inputs: values, params }).output!.data;
    expect(
      relativeError(results.output!.data, Float64Array.from(tail(full as Float64Array, E, past, N))),
    ).toBeLessThan(F64);
    expect(relativeError(results.state!.data, expectedState.data)).toBeLessThan(F64);
  });

  it.each([false, true])('MALA (#103), causal %s = the paper weight form β_i φ(q)·φ(k) − γ_i', (causal) => {
    const spec = malaAttention({ heads: H, headDim: D, valueDim: E, causal, chunkSize: 4 });
    const values = data(SEED + 30);
    const { output } = applyMalaAttention(spec, operands());
    const expected = denseMala(SIZES, values.q, values.k, values.v, { causal, epsilon: 1e-6 });
    expectBoth(makeGraph({ output }), values, expected);
    // With ε = 0 the weights of each query sum to 1: a constant value row comes back unchanged.
    const exact = malaAttention({ heads: H, headDim: D, valueDim: E, causal, chunkSize: 4, epsilon: 0 });
    const ones = { ...values, v: new Float64Array(B * H * N * E).fill(1) };
    const flat = interpret(makeGraph({ output: applyMalaAttention(exact, operands()).output }), {
      inputs: ones,
    }).output!.data;
    expect(relativeError(flat, ones.v)).toBeLessThan(F64);
  });
});

describe('the zoo instances of NaLaFormer, TransNormerLLM + LRPE and MALA = the papers', () => {
  const sizes: MapSizes = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
  const build = (mechanism: string) =>
    LINEAR_MAPS_CATALOG.find((entry) => entry.mechanism === mechanism)!.build();
  const outputOf = (instance: ReturnType<typeof build>) =>
    interpret(instance.graph, { inputs: instance.inputs, params: instance.params }).output!.data;

  it('nala-attention: the reference mean form with 1e−6', () => {
    const { inputs, ...rest } = build('nala-attention');
    const expected = denseNala(sizes, inputs.q!, inputs.k!, inputs.v!, { causal: false, epsilon: 1e-6 });
    expect(relativeError(outputOf({ inputs, ...rest }), expected)).toBeLessThan(F64);
  });

  it('transnormerllm-lrpe: NormLinearAttention, (SRMSNorm(Σ λ^(i−j) Σ q k cos(θ(i−j)) v) ⊙ u) W_out', () => {
    const instance = build('transnormerllm-lrpe');
    const param = (suffix: string) => instance.params[`transnormerllm-lrpe.${suffix}`]!;
    const expected = denseNormLinearAttention(
      { batch: 1, length: 24, heads: 4, headDim: 16 },
      instance.inputs.x!,
      { qkvu: param('qkvu.weight'), out: param('out.weight'), theta: param('lrpe.theta') },
      lightningLinearDecay(4, 2, 6).rates,
    );
    expect(relativeError(outputOf(instance), expected)).toBeLessThan(F64);
  });

  it('mala-attention: β_i φ(q)·φ(k) − γ_i', () => {
    const instance = build('mala-attention');
    const { q, k, v } = instance.inputs;
    const expected = denseMala(sizes, q!, k!, v!, { causal: false, epsilon: 1e-6 });
    expect(relativeError(outputOf(instance), expected)).toBeLessThan(F64);
  });
});
