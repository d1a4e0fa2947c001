import { type Graph, input, interpret, makeGraph, ShapeError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  type DeltaSizes,
  denseGatedDeltaNet,
  denseLogLinearGatedDeltaNet,
} from '../../test/dense-gated-deltanet.js';
import { fenwickLevelCount } from './fenwick-levels.js';
import { gatedDeltaNet, gatedDeltaNetDecodeStep, gatedDeltaNetStateInputs } from './gated-deltanet.js';
import { logLinearStateInputs } from './log-linear-decode.js';
import { logLinearGatedDeltaNet, logLinearGatedDeltaNetDecodeStep } from './log-linear-gated-deltanet.js';

const F64 = 1e-10;

function operands(sizes: DeltaSizes & { L: number }, seed: number) {
  const { B, H, N, D, E, L } = sizes;
  const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
    randomTensor(shape, { seed: seed + offset, min, max }).data;
  return {
    q: tensor([B, H, N, D], 1),
    k: tensor([B, H, N, D], 2),
    v: tensor([B, H, N, E], 3),
    // β = sigmoid(·) ∈ (0, 1), g = −exp(A)·softplus(·) ≤ 0, λ ≥ 0, as the layers make them.
    beta: tensor([B, H, N], 4, 0.05, 0.95),
    g: tensor([B, H, N], 5, -0.6, 0),
    lambda: tensor([B, H, N, L], 6, 0, 2),
  };
}

type Values = ReturnType<typeof operands>;

function sequenceInputs(sizes: DeltaSizes & { L: number }, length: number, decay: boolean) {
  const { B, H, D, E, L } = sizes;
  return {
    q: input('q', [B, H, length, D]),
    k: input('k', [B, H, length, D]),
    v: input('v', [B, H, length, E]),
    beta: input('beta', [B, H, length]),
    lambda: input('lambda', [B, H, length, L]),
    ...(decay ? { g: input('g', [B, H, length]) } : {}),
  };
}

/** Positions [from, to) of each `[B, H, N, width]` operand. */
function positions(values: Values, sizes: DeltaSizes & { L: number }, from: number, to: number) {
  const { B, H, N, D, E, L } = sizes;
  const cut = (x: ArrayLike<number>, width: number) => {
    const out = new Float64Array(B * H * (to - from) * width);
    for (let bh = 0; bh < B * H; bh++)
      for (let c = 0; c < (to - from) * width; c++)
        out[bh * (to - from) * width + c] = x[(bh * N + from) * width + c]!;
    return out;
  };
  return {
    q: cut(values.q, D),
    k: cut(values.k, D),
    v: cut(values.v, E),
    beta: cut(values.beta, 1),
    g: cut(values.g, 1),
    lambda: cut(values.lambda, L),
  };
}

/** Runs a one-position step graph from `from` to N, carrying its state outputs back as inputs. */
function decode(
  step: Graph,
  stateNames: readonly string[],
  values: Values,
  sizes: DeltaSizes & { L: number },
  from: number,
  initial: Record<string, Float64Array>,
): Float64Array {
  const { B, H, N, E } = sizes;
  const out = new Float64Array(B * H * (N - from) * E);
  let state = initial;
  for (let t = from; t < N; t++) {
    const results = interpret(step, { inputs: { ...positions(values, sizes, t, t + 1), ...state } });
    for (let bh = 0; bh < B * H; bh++)
      for (let e = 0; e < E; e++)
        out[(bh * (N - from) + t - from) * E + e] = results.output!.data[bh * E + e]!;
    state = Object.fromEntries(stateNames.map((name) => [name, Float64Array.from(results[name]!.data)]));
  }
  return out;
}

describe('Gated DeltaNet and log-linear Gated DeltaNet (paper 109), float64', () => {
  for (const N of [1, 2, 5, 16, 23])
    for (const decay of [false, true])
      it(`parallel forms = the recurrence stepped in float64, N ${N}, ${decay ? 'gated' : 'α = 1'}`, () => {
        const sizes = { B: 2, H: 2, N, D: 3, E: 4, L: fenwickLevelCount(N) + 1 };
        const values = operands(sizes, 10 * N + (decay ? 1 : 0));
        const { g, ...plain } = values;
        const dense = decay ? { ...plain, g } : plain;
        const x = sequenceInputs(sizes, N, decay);
        const gates = { beta: x.beta, ...(x.g === undefined ? {} : { logDecay: x.g }) };
        const gdn = gatedDeltaNet(x.q, x.k, x.v, { name: 'gdn', ...gates }).output;
        const logLinear = logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, { name: 'll', ...gates }).output;
        const results = interpret(makeGraph({ gdn, logLinear }), { inputs: values });
        expect(relativeError(results.gdn!.data, denseGatedDeltaNet(sizes, dense))).toBeLessThan(F64);
        const expected = denseLogLinearGatedDeltaNet(sizes, dense);
        expect(relativeError(results.logLinear!.data, expected)).toBeLessThan(F64);
      });

  it('the two dense formulas agree where λ ≡ 1 (log-linear reduces to Gated DeltaNet)', () => {
    const sizes = { B: 1, H: 2, N: 19, D: 4, E: 3, L: 6 };
    const values = { ...operands(sizes, 5), lambda: new Float64Array(2 * 19 * 6).fill(1) };
    expect(
      relativeError(denseLogLinearGatedDeltaNet(sizes, values), denseGatedDeltaNet(sizes, values)),
    ).toBeLessThan(1e-12);
  });

  it('decode steps from zeros = the whole sequence; a prefill state continues it (flat state)', () => {
    const sizes = { B: 1, H: 2, N: 13, D: 3, E: 2, L: 5 };
    const { B, H, D, E } = sizes;
    const values = operands(sizes, 31);
    const expected = denseGatedDeltaNet(sizes, values);
    const row = sequenceInputs(sizes, 1, true);
    const step = gatedDeltaNetDecodeStep(
      {
        query: row.q,
        key: row.k,
        value: row.v,
        beta: row.beta,
        logDecay: row.g!,
        state: gatedDeltaNetStateInputs(B, H, D, E, 'layer'),
      },
      'layer',
    );
    const stepGraph = makeGraph({ output: step.output, 'layer.state': step.state.values });
    const empty = { 'layer.state': new Float64Array(B * H * D * E) };
    expect(relativeError(decode(stepGraph, ['layer.state'], values, sizes, 0, empty), expected)).toBeLessThan(
      F64,
    );

    const P = 6;
    const x = sequenceInputs(sizes, P, true);
    const prefill = gatedDeltaNet(x.q, x.k, x.v, {
      name: 'layer',
      beta: x.beta,
      logDecay: x.g!,
      returnState: true,
    });
    const prefilled = interpret(makeGraph({ output: prefill.output, state: prefill.state!.values }), {
      inputs: positions(values, sizes, 0, P),
    });
    const continued = decode(stepGraph, ['layer.state'], values, sizes, P, {
      'layer.state': Float64Array.from(prefilled.state!.data),
    });
    const tail = positionsOf(expected, sizes, P);
    expect(relativeError(continued, tail)).toBeLessThan(F64);
  });

  it('decode steps on the Fenwick level states = the whole sequence; a prefill state continues it', () => {
    const sizes = { B: 1, H: 2, N: 21, D: 3, E: 2, L: 6 };
    const { B, H, D, E, L } = sizes;
    const values = operands(sizes, 77);
    const expected = denseLogLinearGatedDeltaNet(sizes, values);
    const row = sequenceInputs(sizes, 1, true);
    const step = logLinearGatedDeltaNetDecodeStep(
      {
        query: row.q,
        key: row.k,
        value: row.v,
        beta: row.beta,
        logDecay: row.g!,
        levelWeights: row.lambda,
        state: logLinearStateInputs(B, H, L - 1, D, E, 'layer'),
      },
      'layer',
    );
    const stepGraph = makeGraph({
      output: step.output,
      'layer.levels': step.state.levels,
      'layer.position': step.state.position,
    });
    const names = ['layer.levels', 'layer.position'];
    const empty = {
      'layer.levels': new Float64Array(B * H * (L - 1) * D * E),
      'layer.position': Float64Array.of(0),
    };
    expect(relativeError(decode(stepGraph, names, values, sizes, 0, empty), expected)).toBeLessThan(F64);

    for (const P of [8, 11]) {
      const x = sequenceInputs(sizes, P, true);
      const prefill = logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, {
        name: 'layer',
        beta: x.beta,
        logDecay: x.g!,
        returnState: true,
      });
      const prefilled = interpret(
        makeGraph({
          output: prefill.output,
          levels: prefill.state!.levels,
          position: prefill.state!.position,
        }),
        { inputs: positions(values, sizes, 0, P) },
      );
      expect(prefilled.position!.data[0]).toBe(P);
      const continued = decode(stepGraph, names, values, sizes, P, {
        'layer.levels': Float64Array.from(prefilled.levels!.data),
        'layer.position': Float64Array.from(prefilled.position!.data),
      });
      expect(relativeError(continued, positionsOf(expected, sizes, P))).toBeLessThan(F64);
    }
  });

  it('normalizeQueryKey: false and scale take q and k as given (pre-normalized here = the default)', () => {
    const sizes = { B: 1, H: 2, N: 9, D: 4, E: 3, L: 5 };
    const { B, H, N, D } = sizes;
    const values = operands(sizes, 55);
    const normalized = (x: ArrayLike<number>, scale: number) =>
      Float64Array.from({ length: B * H * N * D }, (_, i) => {
        const row = Math.floor(i / D) * D;
        let squares = 1e-6;
        for (let d = 0; d < D; d++) squares += x[row + d]! ** 2;
        return (x[i]! / Math.sqrt(squares)) * scale;
      });
    const x = sequenceInputs(sizes, N, true);
    const gates = { beta: x.beta, logDecay: x.g! };
    const raw = { normalizeQueryKey: false, scale: 1 };
    const graph = makeGraph({
      gdn: gatedDeltaNet(x.q, x.k, x.v, { name: 'gdn', ...gates, ...raw }).output,
      logLinear: logLinearGatedDeltaNet(x.q, x.k, x.v, x.lambda, { name: 'll', ...gates, ...raw }).output,
    });
    const given = interpret(graph, {
      inputs: { ...values, q: normalized(values.q, 1 / Math.sqrt(D)), k: normalized(values.k, 1) },
    });
    expect(relativeError(given.gdn!.data, denseGatedDeltaNet(sizes, values))).toBeLessThan(F64);
    expect(relativeError(given.logLinear!.data, denseLogLinearGatedDeltaNet(sizes, values))).toBeLessThan(
      F64,
    );
  });

  it('bad input is named', () => {
    const q = input('q', [1, 2, 24, 4]);
    const beta = input('beta', [1, 2, 24]);
    expect(() => gatedDeltaNet(q, q, q, { name: 'gdn', beta: input('b', [1, 24]) })).toThrow(ShapeError);
    expect(() => gatedDeltaNet(q, q, q, { name: 'gdn', beta: input('b', [1, 24]) })).toThrow(/"gdn": beta/);
    expect(() => gatedDeltaNet(q, q, q, { name: 'gdn', beta, logDecay: input('g', [2, 24]) })).toThrow(
      /logDecay/,
    );
    expect(() => logLinearGatedDeltaNet(q, q, q, input('l', [1, 2, 24, 5]), { name: 'll', beta })).toThrow(
      /"ll": levelWeights must be \[1, 2, 24, L\], L >= 6/,
    );
    const row = input('r', [1, 2, 1, 4]);
    const rowBeta = input('rb', [1, 2, 1]);
    expect(() =>
      gatedDeltaNetDecodeStep(
        {
          query: row,
          key: row,
          value: input('v', [1, 2, 1, 3]),
          beta: rowBeta,
          state: gatedDeltaNetStateInputs(1, 2, 4, 4, 's'),
        },
        'step',
      ),
    ).toThrow(/"step": value must be \[1, 2, 1, 4\]/);
    expect(() =>
      logLinearGatedDeltaNetDecodeStep(
        {
          query: row,
          key: row,
          value: row,
          beta: rowBeta,
          levelWeights: input('l', [1, 2, 1, 4]),
          state: logLinearStateInputs(1, 2, 4, 4, 4, 's'),
        },
        'step',
      ),
    ).toThrow(/"step": levelWeights must be \[1, 2, 1, 5\]/);
  });
});

/** Positions [from, N) of an `[B, H, N, E]` result. */
function positionsOf(x: Float64Array, { B, H, N, E }: DeltaSizes, from: number): Float64Array {
  const out = new Float64Array(B * H * (N - from) * E);
  for (let bh = 0; bh < B * H; bh++)
    out.set(x.subarray((bh * N + from) * E, (bh + 1) * N * E), bh * (N - from) * E);
  return out;
}
