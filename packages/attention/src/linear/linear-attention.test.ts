import {
  decomposeExtensionOps,
  graphFromJSON,
  graphToJSON,
  input,
  interpret,
  makeGraph,
  runPipeline,
  type Tensor64,
  WeftError,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  denseLinearAttention,
  denseParallelRetention,
  type LinearSizes,
  PHI,
} from '../../test/dense-linear-attention.js';
import { applyLinearAttention, linearAttentionStateInputs } from './apply-linear-attention.js';
import { elu1, type FeatureMap, identity, relu } from './feature-maps.js';
import { linearAttentionOp, linearStateOp } from './linear-attention-op.js';
import { linearAttention } from './linear-attention-spec.js';
import { constantDecay, lightningLinearDecay, retentionDecay } from './linear-decay.js';

// Fresh inputs on every run; the seed is in every failure message.
const SEED = Math.floor(Math.random() * 2 ** 30);
const F64 = 1e-12;
const OPS = { name: 'linearAttention', ops: [linearAttentionOp, linearStateOp] };

function tensors(sizes: LinearSizes, seed: number) {
  const { batch: b, heads: h, queries, keys, headDim: dk, valueDim: dv } = sizes;
  return {
    q: randomTensor([b, h, queries, dk], { seed: seed + 1 }),
    k: randomTensor([b, h, keys, dk], { seed: seed + 2 }),
    v: randomTensor([b, h, keys, dv], { seed: seed + 3 }),
  };
}

interface Case {
  readonly label: string;
  readonly featureMap: FeatureMap;
  readonly phi: (x: number) => number;
  readonly epsilon: number | null;
  readonly decay: readonly number[] | null;
  readonly causal: boolean;
  readonly sizes: LinearSizes;
}

const sized = (heads: number, queries: number, keys: number): LinearSizes => ({
  batch: 2,
  heads,
  queries,
  keys,
  headDim: 5,
  valueDim: 7,
});

const CASES: readonly Case[] = [
  {
    label: 'non-causal ELU+1 with ε',
    featureMap: elu1(),
    phi: PHI.elu1,
    epsilon: 1e-6,
    decay: null,
    causal: false,
    sizes: sized(2, 9, 13),
  },
  {
    label: 'causal ELU+1 with ε',
    featureMap: elu1(),
    phi: PHI.elu1,
    epsilon: 1e-6,
    decay: null,
    causal: true,
    sizes: sized(2, 11, 11),
  },
  {
    label: 'causal ReLU, ε 1e-3',
    featureMap: relu(),
    phi: PHI.relu,
    epsilon: 1e-3,
    decay: null,
    causal: true,
    sizes: sized(2, 11, 11),
  },
  {
    label: 'retention (identity, RetNet γ, no denominator)',
    featureMap: identity(),
    phi: PHI.identity,
    epsilon: null,
    decay: retentionDecay(3).rates,
    causal: true,
    sizes: sized(3, 12, 12),
  },
  {
    label: 'Lightning decay, ELU+1 with ε',
    featureMap: elu1(),
    phi: PHI.elu1,
    epsilon: 1e-6,
    decay: lightningLinearDecay(2, 2, 6).rates,
    causal: true,
    sizes: sized(2, 10, 10),
  },
];

function specOf(test: Case, chunkSize = 4) {
  return linearAttention({
    heads: test.sizes.heads,
    headDim: test.sizes.headDim,
    valueDim: test.sizes.valueDim,
    featureMap: test.featureMap,
    denominator: test.epsilon === null ? false : { epsilon: test.epsilon },
    ...(test.decay === null ? {} : { decay: constantDecay(test.decay) }),
    causal: test.causal,
    chunkSize,
    name: 'layers.0.linear',
  });
}

function denseOf(test: Case, values: ReturnType<typeof tensors>) {
  return denseLinearAttention(test.sizes, values.q.data, values.k.data, values.v.data, {
    phi: test.phi,
    gamma: test.decay ?? new Array<number>(test.sizes.heads).fill(1),
    epsilon: test.epsilon,
    causal: test.causal,
  });
}

describe(`linear attention, float64 (seed ${SEED})`, () => {
  it.each(CASES.map((test) => [test.label, test] as const))(
    '%s: the reference and the decomposition match the paper formulas',
    (_, test) => {
      const values = tensors(test.sizes, SEED);
      const spec = specOf(test);
      const { output } = applyLinearAttention(spec, {
        query: input('q', values.q.shape),
        key: input('k', values.k.shape),
        value: input('v', values.v.shape),
      });
      const graph = makeGraph({ output });
      const inputs = { q: values.q, k: values.k, v: values.v };
      const expected = denseOf(test, values).output;
      const reference = interpret(graph, { inputs }).output!.data;
      const decomposed = interpret(decomposeExtensionOps(graph), { inputs }).output!.data;
      expect(relativeError(reference, expected), `seed ${SEED}`).toBeLessThan(F64);
      expect(relativeError(decomposed, expected), `seed ${SEED}`).toBeLessThan(F64);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.01);
    },
  );

  it('retention: the recurrent form equals RetNet’s parallel form (QKᵀ ⊙ D)V', () => {
    const test = CASES[3]!;
    const values = tensors(test.sizes, SEED);
    const parallel = denseParallelRetention(
      test.sizes,
      values.q.data,
      values.k.data,
      values.v.data,
      test.decay!,
    );
    expect(relativeError(denseOf(test, values).output, parallel)).toBeLessThan(F64);
  });

  it.each(CASES.filter((test) => test.causal).map((test) => [test.label, test] as const))(
    '%s: prefill with its state, then token-by-token steps, equal one causal pass',
    (_, test) => {
      const values = tensors(test.sizes, SEED + 7);
      const spec = specOf(test);
      const { batch, heads, queries: n, headDim: dk, valueDim: dv } = test.sizes;
      const whole = interpret(
        makeGraph({
          output: applyLinearAttention(spec, {
            query: input('q', values.q.shape),
            key: input('k', values.k.shape),
            value: input('v', values.v.shape),
          }).output,
        }),
        { inputs: { q: values.q, k: values.k, v: values.v } },
      ).output!.data;
      // Steps of one position each, carrying the state through graph inputs and outputs.
      const rows = (tensor: Tensor64, width: number, at: number, count: number): Tensor64 => {
        const data = new Float64Array(batch * heads * count * width);
        for (let bh = 0; bh < batch * heads; bh++)
          data.set(
            tensor.data.subarray((bh * n + at) * width, (bh * n + at + count) * width),
            bh * count * width,
          );
        return { shape: [batch, heads, count, width], dtype: 'f32', data };
      };
      const state = linearAttentionStateInputs(spec, batch, 'layer');
      const step = applyLinearAttention(spec, {
        query: input('q', [batch, heads, 1, dk]),
        key: input('k', [batch, heads, 1, dk]),
        value: input('v', [batch, heads, 1, dv]),
        state,
      });
      const stepGraph = makeGraph({
        output: step.output,
        state: step.state!.values,
        ...(step.state!.keys === undefined ? {} : { keyState: step.state!.keys }),
      });
      let carried: Record<string, Tensor64> = {
        'layer.state': {
          shape: [batch, heads, dk, dv],
          dtype: 'f32',
          data: new Float64Array(batch * heads * dk * dv),
        },
        ...(spec.denominator === null
          ? {}
          : {
              'layer.keyState': {
                shape: [batch, heads, dk],
                dtype: 'f32',
                data: new Float64Array(batch * heads * dk),
              },
            }),
      };
      const stepped = new Float64Array(whole.length);
      for (let t = 0; t < n; t++) {
        const result = interpret(stepGraph, {
          inputs: {
            q: rows(values.q, dk, t, 1),
            k: rows(values.k, dk, t, 1),
            v: rows(values.v, dv, t, 1),
            ...carried,
          },
        });
        for (let bh = 0; bh < batch * heads; bh++)
          stepped.set(result.output!.data.subarray(bh * dv, (bh + 1) * dv), (bh * n + t) * dv);
        carried = {
          'layer.state': result.state!,
          ...(result.keyState === undefined ? {} : { 'layer.keyState': result.keyState }),
        };
      }
      expect(relativeError(stepped, whole), `seed ${SEED}`).toBeLessThan(F64);
      const dense = denseOf(test, values);
      expect(relativeError(carried['layer.state']!.data, dense.state)).toBeLessThan(F64);
      if (spec.denominator !== null)
        expect(relativeError(carried['layer.keyState']!.data, dense.keyState)).toBeLessThan(F64);
      // The state ops' decompositions agree with their reference.
      const decomposed = interpret(decomposeExtensionOps(stepGraph), {
        inputs: {
          q: rows(values.q, dk, 0, 1),
          k: rows(values.k, dk, 0, 1),
          v: rows(values.v, dv, 0, 1),
          ...carried,
        },
      });
      const direct = interpret(stepGraph, {
        inputs: {
          q: rows(values.q, dk, 0, 1),
          k: rows(values.k, dk, 0, 1),
          v: rows(values.v, dv, 0, 1),
          ...carried,
        },
      });
      for (const name of Object.keys(direct))
        expect(relativeError(decomposed[name]!.data, direct[name]!.data), name).toBeLessThan(F64);
    },
  );

  it('saves to JSON and loads with the extension’s ops', () => {
    const test = CASES[4]!;
    const spec = specOf(test);
    const step = applyLinearAttention(spec, {
      query: input('q', [1, 2, 3, 5]),
      key: input('k', [1, 2, 3, 5]),
      value: input('v', [1, 2, 3, 7]),
      returnState: true,
    });
    const graph = makeGraph({ output: step.output, state: step.state!.values, keys: step.state!.keys! });
    const loaded = graphFromJSON(JSON.parse(JSON.stringify(graphToJSON(graph))), { extensions: [OPS] });
    expect(graphToJSON(loaded)).toEqual(graphToJSON(graph));
    expect(() => graphFromJSON(graphToJSON(graph))).toThrow(/linearAttentionExtension/);
  });
});

describe('linear attention, errors name the block, the tensor and the dim', () => {
  const spec = linearAttention({ heads: 2, headDim: 4, valueDim: 6, causal: true, name: 'layers.3.mixer' });
  const q = input('q', [1, 2, 8, 4]);
  const message = (build: () => unknown) => {
    try {
      build();
    } catch (error) {
      expect(WeftError.isInstance(error)).toBe(true);
      return (error as Error).message;
    }
    throw new Error('expected an error');
  };
  it('rejects mismatched operands', () => {
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: q,
          key: input('k', [1, 2, 8, 3]),
          value: input('v', [1, 2, 8, 6]),
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*key head dim.*dim 3|layers\.3\.mixer.*key.*head dim/s);
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: q,
          key: input('k', [1, 2, 8, 4]),
          value: input('v', [1, 2, 7, 6]),
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*value length/);
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: q,
          key: input('k', [1, 2, 9, 4]),
          value: input('v', [1, 2, 9, 6]),
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*key length \(query length: causal\)/);
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: input('q', [1, 3, 8, 4]),
          key: q,
          value: input('v', [1, 2, 8, 6]),
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*query heads/);
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: q,
          key: q,
          value: input('v', [1, 2, 8, 6]),
          state: { values: input('s', [1, 2, 4, 5]), keys: input('z', [1, 2, 4]) },
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*state value dim/);
  });
  it('rejects bad options', () => {
    expect(message(() => linearAttention({ heads: 2, headDim: 4, chunkSize: 65, name: 'm' }))).toMatch(
      /"m": chunkSize/,
    );
    expect(
      message(() => linearAttention({ heads: 2, headDim: 4, decay: retentionDecay(2), name: 'm' })),
    ).toMatch(/"m": decay.*causal/);
    expect(
      message(() =>
        linearAttention({ heads: 3, headDim: 4, causal: true, decay: retentionDecay(2), name: 'm' }),
      ),
    ).toMatch(/one rate per head/);
    expect(message(() => constantDecay([0.5, 1.5]))).toMatch(/\(0, 1\]/);
    expect(
      message(() => linearAttention({ heads: 2, headDim: 4, denominator: { epsilon: -1 }, name: 'm' })),
    ).toMatch(/epsilon/);
    const nonCausal = linearAttention({ heads: 2, headDim: 4, valueDim: 6, name: 'enc' });
    expect(
      message(() =>
        applyLinearAttention(nonCausal, {
          query: q,
          key: q,
          value: input('v', [1, 2, 8, 6]),
          returnState: true,
        }),
      ),
    ).toMatch(/"enc".*causal/);
    expect(
      message(() =>
        applyLinearAttention(spec, {
          query: q,
          key: q,
          value: input('v', [1, 2, 8, 6]),
          state: { values: input('s', [1, 2, 4, 6]) },
        }),
      ),
    ).toMatch(/layers\.3\.mixer.*key sums/);
  });
});

describe('linear attention, memory plan', () => {
  it('causal chunked at N = 8192 allocates no N×N buffer (the quadratic decomposition would)', () => {
    const n = 8192;
    const spec = linearAttention({ heads: 4, headDim: 64, causal: true, featureMap: elu1() });
    const shape = [1, 4, n, 64];
    const { output } = applyLinearAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
    });
    const fused = runPipeline(makeGraph({ output }));
    const tensorBytes = 4 * 4 * n * 64;
    const largest = Math.max(...[...fused.memory.slots.values()].map((slot) => slot.bytes));
    expect(largest).toBeLessThanOrEqual(tensorBytes);
    expect(fused.memory.peakLiveBytes).toBeLessThanOrEqual(4 * tensorBytes);
    expect(fused.plan.kernels.length).toBe(1);
    const quadratic = runPipeline(makeGraph({ output }), { decompose: true });
    expect(
      Math.max(...[...quadratic.memory.slots.values()].map((slot) => slot.bytes)),
    ).toBeGreaterThanOrEqual(4 * 4 * n * n);
  });
});
