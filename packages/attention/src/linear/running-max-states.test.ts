import { decomposeExtensionOps, type Graph, input, interpret, makeGraph, ShapeError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseAarenSoftmax, denseLatte } from '../../test/dense-running-max.js';
import { seeded } from '../catalog/seeded-values.js';
import { aarenStateInputs, applyAaren } from './aaren-recurrent.js';
import { applyLatte, latteStateInputs } from './latte-attention.js';

const F64 = 1e-12;
const B = 1;
const H = 2;
const N = 12;
const D = 8;
const E = 4;
const SIZES = { batch: B, heads: H, length: N, headDim: D, valueDim: E };
const rows = (width: number) => [B, H, N, width];
const row = (width: number) => [B, H, 1, width];

/** Row t of a `[B, H, N, w]` tensor as `[B, H, 1, w]`. */
function rowAt(tensor: ArrayLike<number>, width: number, t: number): Float64Array {
  const out = new Float64Array(B * H * width);
  for (let bh = 0; bh < B * H; bh++)
    for (let c = 0; c < width; c++) out[bh * width + c] = tensor[(bh * N + t) * width + c]!;
  return out;
}

/** Runs `step` (a one-position graph with state outputs named like its state inputs) over every position. */
function stepThrough(
  step: Graph,
  stateNames: readonly string[],
  initial: Record<string, Float64Array>,
  operands: Record<string, { data: ArrayLike<number>; width: number }>,
  params: Record<string, ArrayLike<number>> = {},
): Float64Array {
  let state = initial;
  const out = new Float64Array(B * H * N * E);
  for (let t = 0; t < N; t++) {
    const inputs: Record<string, ArrayLike<number>> = { ...state };
    for (const [name, { data, width }] of Object.entries(operands)) inputs[name] = rowAt(data, width, t);
    const results = interpret(step, { inputs, params });
    const output = results.output!.data;
    for (let bh = 0; bh < B * H; bh++) out.set(output.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
    state = Object.fromEntries(stateNames.map((name) => [name, Float64Array.from(results[name]!.data)]));
  }
  return out;
}

describe('Aaren with a running max (m, u, w), float64', () => {
  const query = seeded(H * D, 10);
  const k = seeded(B * H * N * D, 2);
  const v = seeded(B * H * N * E, 3);

  it('prefill (chunked sweep and its quadratic decomposition) = softmax(q Kᵀ + causal mask) V', () => {
    const { output } = applyAaren(input('k', rows(D)), input('v', rows(E)), { name: 'aaren', chunkSize: 4 });
    const graph = makeGraph({ output });
    const expected = denseAarenSoftmax(SIZES, query, k, v);
    const params = { 'aaren.query': query };
    expect(relativeError(interpret(graph, { inputs: { k, v }, params }).output!.data, expected)).toBeLessThan(
      F64,
    );
    const quadratic = interpret(decomposeExtensionOps(graph), { inputs: { k, v }, params }).output!.data;
    expect(relativeError(quadratic, expected)).toBeLessThan(F64);
  });

  it('decode steps from the empty state (m = −1e30: e^(m − s) is 0) = the dense formula', () => {
    const step = applyAaren(input('k', row(D)), input('v', row(E)), {
      name: 'aaren',
      state: aarenStateInputs(B, H, E, 'aaren'),
    });
    const names = ['aaren.max', 'aaren.keyState', 'aaren.state'];
    const graph = makeGraph({
      output: step.output,
      'aaren.max': step.state!.max,
      'aaren.keyState': step.state!.keys,
      'aaren.state': step.state!.values,
    });
    // Decode cost: the state is (1 + 1 + d_v) numbers per head, whatever the past length.
    const { max, keys, values } = step.state!;
    expect([max.shape, keys.shape, values.shape]).toEqual([
      [B, H, 1, 1],
      [B, H, 1],
      [B, H, 1, E],
    ]);
    const initial = {
      'aaren.max': new Float64Array(B * H).fill(-1e30),
      'aaren.keyState': new Float64Array(B * H),
      'aaren.state': new Float64Array(B * H * E),
    };
    const stepped = stepThrough(
      graph,
      names,
      initial,
      { k: { data: k, width: D }, v: { data: v, width: E } },
      {
        'aaren.query': query,
      },
    );
    expect(relativeError(stepped, denseAarenSoftmax(SIZES, query, k, v))).toBeLessThan(F64);
  });

  it('a prefill of 8 then a chunked continuation from its state = one call over all 12', () => {
    const first = applyAaren(input('k', [B, H, 8, D]), input('v', [B, H, 8, E]), {
      name: 'aaren',
      returnState: true,
      chunkSize: 4,
    });
    const rest = applyAaren(input('k2', [B, H, 4, D]), input('v2', [B, H, 4, E]), {
      name: 'aaren',
      state: first.state!,
    });
    const slice = (data: ArrayLike<number>, width: number, from: number, to: number) => {
      const out: number[] = [];
      for (let bh = 0; bh < B * H; bh++)
        for (let t = from; t < to; t++)
          for (let c = 0; c < width; c++) out.push(data[(bh * N + t) * width + c]!);
      return Float64Array.from(out);
    };
    const inputs = {
      k: slice(k, D, 0, 8),
      v: slice(v, E, 0, 8),
      k2: slice(k, D, 8, 12),
      v2: slice(v, E, 8, 12),
    };
    const got = interpret(makeGraph({ output: rest.output }), { inputs, params: { 'aaren.query': query } });
    const expected = slice(denseAarenSoftmax(SIZES, query, k, v), E, 8, 12);
    expect(relativeError(got.output!.data, expected)).toBeLessThan(F64);
  });

  it('scores 200 apart stay finite (each exponent ≤ 0), and bad values are named', () => {
    // Keys growing by 30 per position: s spans ~±200, e^s overflows f32 and float64 sums lose the early ones.
    const grown = Float64Array.from(k, (x, i) => x + 30 * Math.floor(i / D) * (i % D === 0 ? 1 : 0));
    const { output } = applyAaren(input('k', rows(D)), input('v', rows(E)), { name: 'aaren', chunkSize: 4 });
    const params = { 'aaren.query': Float64Array.from(query, (x, i) => (i % D === 0 ? 1 : x)) };
    const got = interpret(makeGraph({ output }), { inputs: { k: grown, v }, params }).output!.data;
    expect(got.every(Number.isFinite)).toBe(true);
    expect(relativeError(got, denseAarenSoftmax(SIZES, params['aaren.query'], grown, v))).toBeLessThan(F64);
    expect(() => applyAaren(input('k', rows(D)), input('v', [B, H, N]), { name: 'bad' })).toThrow(ShapeError);
  });
});

describe('Latte with running-max and log-sum-exp states, float64', () => {
  const q = seeded(B * H * N * D, 1);
  const k = seeded(B * H * N * D, 2);
  const v = seeded(B * H * N * E, 3);
  const scale = 1 / Math.sqrt(D);

  it.each([true, false])(
    'causal %s (the op and its quadratic decomposition) = the dense formula',
    (causal) => {
      const { output } = applyLatte(input('q', rows(D)), input('k', rows(D)), input('v', rows(E)), {
        name: 'latte',
        causal,
        chunkSize: 4,
      });
      const graph = makeGraph({ output });
      const expected = denseLatte(SIZES, q, k, v, { causal, scale });
      expect(relativeError(interpret(graph, { inputs: { q, k, v } }).output!.data, expected)).toBeLessThan(
        F64,
      );
      const quadratic = interpret(decomposeExtensionOps(graph), { inputs: { q, k, v } }).output!.data;
      expect(relativeError(quadratic, expected)).toBeLessThan(F64);
    },
  );

  it('decode steps from the empty state = the causal dense formula; keys 300 apart stay finite', () => {
    const step = applyLatte(input('q', row(D)), input('k', row(D)), input('v', row(E)), {
      name: 'latte',
      state: latteStateInputs(B, H, D, E, 'latte'),
    });
    const graph = makeGraph({
      output: step.output,
      'latte.max': step.state!.max,
      'latte.logSum': step.state!.logSum,
      'latte.state': step.state!.values,
    });
    const names = ['latte.max', 'latte.logSum', 'latte.state'];
    const initial = {
      'latte.max': new Float64Array(B * H * D).fill(-1e30),
      'latte.logSum': new Float64Array(B * H * D).fill(-1e30),
      'latte.state': new Float64Array(B * H * D * E),
    };
    const grown = Float64Array.from(k, (x, i) => x + 100 * Math.floor(i / D) * (i % 3 === 0 ? 1 : -1));
    for (const keys of [k, grown]) {
      const operands = { q: { data: q, width: D }, k: { data: keys, width: D }, v: { data: v, width: E } };
      const stepped = stepThrough(graph, names, initial, operands);
      expect(stepped.every(Number.isFinite)).toBe(true);
      expect(relativeError(stepped, denseLatte(SIZES, q, keys, v, { causal: true, scale }))).toBeLessThan(
        F64,
      );
    }
  });

  it('a state of the bidirectional form is refused', () => {
    expect(() =>
      applyLatte(input('q', rows(D)), input('k', rows(D)), input('v', rows(E)), {
        name: 'latte',
        causal: false,
        returnState: true,
      }),
    ).toThrow(/Latte "latte": a state needs the causal form/);
  });
});
