import { input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLogLinear, inLevel, type LogLinearSizes } from '../../test/dense-log-linear.js';
import { fenwickLevelCount } from './fenwick-levels.js';
import { logLinearAttention } from './log-linear-attention.js';
import { logLinearDecodeStep, logLinearStateInputs } from './log-linear-decode.js';
import { logLinearOp } from './log-linear-op.js';

const F64 = 1e-12;

function operands(sizes: LogLinearSizes, seed: number) {
  const { B, H, N, D, E, L } = sizes;
  const tensor = (shape: number[], offset: number, min = -1, max = 1) =>
    randomTensor(shape, { seed: seed + offset, min, max }).data;
  return {
    q: tensor([B, H, N, D], 1),
    k: tensor([B, H, N, D], 2),
    v: tensor([B, H, N, E], 3),
    // λ ≥ 0 and a ≤ 0 (Mamba-2's A·Δt), as the paper's projections make them.
    lambda: tensor([B, H, N, L], 4, 0, 2),
    a: tensor([B, H, N], 5, -0.6, 0),
  };
}

function wholeSequence(
  sizes: LogLinearSizes,
  options: { decay: boolean; form: 'chunked' | 'fused' | 'quadratic'; chunkSize?: number },
) {
  const { B, H, N, D, E, L } = sizes;
  const { output } = logLinearAttention(
    input('q', [B, H, N, D]),
    input('k', [B, H, N, D]),
    input('v', [B, H, N, E]),
    input('lambda', [B, H, N, L]),
    {
      name: 'loglinear',
      form: options.form,
      ...(options.decay ? { logDecay: input('a', [B, H, N]) } : {}),
      ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    },
  );
  return makeGraph({ output });
}

describe('log-linear attention (paper 109), float64', () => {
  it("the paper's level masks partition the causal triangle into ⌈log2 N⌉ + 1 levels", () => {
    const misses: string[] = [];
    for (let t = 0; t < 70; t++)
      for (let s = 0; s <= t; s++) {
        const levels = Array.from({ length: 8 }, (_, level) => level).filter((level) => inLevel(level, t, s));
        if (levels.length !== 1 || levels[0]! >= fenwickLevelCount(t + 1))
          misses.push(`(${t}, ${s}): ${levels}`);
      }
    expect(misses).toEqual([]);
    expect([1, 2, 3, 5, 24, 32, 33].map(fenwickLevelCount)).toEqual([1, 2, 3, 4, 6, 6, 7]);
  });

  for (const N of [1, 5, 24, 37])
    for (const decay of [false, true])
      it(`quadratic and chunked forms = the paper's (QKᵀ ⊙ H) V, N ${N}, ${decay ? 'Mamba-2 decay' : 'A = 1'}`, () => {
        const sizes = { B: 2, H: 2, N, D: 3, E: 4, L: fenwickLevelCount(N) + 1 };
        const values = operands(sizes, 10 * N + (decay ? 1 : 0));
        const { a, ...withoutDecay } = values;
        const expected = denseLogLinear(sizes, decay ? { ...withoutDecay, a } : withoutDecay);
        const feed = {
          inputs: { q: values.q, k: values.k, v: values.v, lambda: values.lambda, a: values.a },
        };
        const forms = [
          wholeSequence(sizes, { decay, form: 'quadratic' }),
          ...[1, 2, 8, 64].map((chunkSize) => wholeSequence(sizes, { decay, form: 'chunked', chunkSize })),
          // The fused op's float64 definition: its decomposition.
          wholeSequence(sizes, { decay, form: 'fused', chunkSize: 4 }),
        ];
        for (const graph of forms) {
          expect(relativeError(interpret(graph, feed).output!.data, expected)).toBeLessThan(F64);
        }
      });

  it('decode steps on the Fenwick state from empty = the whole sequence; a prefill state continues it', () => {
    const sizes = { B: 1, H: 2, N: 21, D: 3, E: 2, L: 6 };
    const { B, H, N, D, E, L } = sizes;
    const values = operands(sizes, 77);
    const expected = denseLogLinear(sizes, values);
    const state = logLinearStateInputs(B, H, L - 1, D, E, 'layer');
    const step = logLinearDecodeStep(
      {
        query: input('q', [B, H, 1, D]),
        key: input('k', [B, H, 1, D]),
        value: input('v', [B, H, 1, E]),
        levelWeights: input('lambda', [B, H, 1, L]),
        logDecay: input('a', [B, H, 1]),
        state,
      },
      'layer',
    );
    const stepGraph = makeGraph({
      output: step.output,
      levels: step.state.levels,
      position: step.state.position,
    });
    const row = (x: ArrayLike<number>, width: number, t: number) => {
      const out = new Float64Array(B * H * width);
      for (let bh = 0; bh < B * H; bh++)
        for (let c = 0; c < width; c++) out[bh * width + c] = x[(bh * N + t) * width + c]!;
      return out;
    };
    const decode = (from: number, levels: ArrayLike<number>, position: number) => {
      const stepped = new Float64Array(B * H * N * E);
      let current = { levels: Float64Array.from(levels), position: Float64Array.of(position) };
      for (let t = from; t < N; t++) {
        const results = interpret(stepGraph, {
          inputs: {
            q: row(values.q, D, t),
            k: row(values.k, D, t),
            v: row(values.v, E, t),
            lambda: row(values.lambda, L, t),
            a: row(values.a, 1, t),
            'layer.levels': current.levels,
            'layer.position': current.position,
          },
        });
        for (let bh = 0; bh < B * H; bh++)
          for (let e = 0; e < E; e++) stepped[(bh * N + t) * E + e] = results.output!.data[bh * E + e]!;
        current = {
          levels: Float64Array.from(results.levels!.data),
          position: Float64Array.from(results.position!.data),
        };
      }
      expect(current.position[0]).toBe(N);
      return stepped;
    };
    expect(relativeError(decode(0, new Float64Array(B * H * (L - 1) * D * E), 0), expected)).toBeLessThan(
      F64,
    );

    // Prefill 11 positions with the chunked form, then decode the other 10 from its state.
    const P = 11;
    const prefix = (x: ArrayLike<number>, width: number) => {
      const out = new Float64Array(B * H * P * width);
      for (let bh = 0; bh < B * H; bh++)
        for (let c = 0; c < P * width; c++) out[bh * P * width + c] = x[bh * N * width + c]!;
      return out;
    };
    const prefill = logLinearAttention(
      input('q', [B, H, P, D]),
      input('k', [B, H, P, D]),
      input('v', [B, H, P, E]),
      input('lambda', [B, H, P, L]),
      { name: 'layer', logDecay: input('a', [B, H, P]), chunkSize: 4, returnState: true },
    );
    const prefilled = interpret(
      makeGraph({ output: prefill.output, levels: prefill.state!.levels, position: prefill.state!.position }),
      {
        inputs: {
          q: prefix(values.q, D),
          k: prefix(values.k, D),
          v: prefix(values.v, E),
          lambda: prefix(values.lambda, L),
          a: prefix(values.a, 1),
        },
      },
    );
    const continued = decode(P, prefilled.levels!.data, prefilled.position!.data[0]!);
    const tail = (x: ArrayLike<number>) =>
      Array.from(
        { length: B * H * (N - P) * E },
        (_, i) => x[Math.floor(i / ((N - P) * E)) * N * E + P * E + (i % ((N - P) * E))]!,
      );
    expect(relativeError(tail(continued), tail(expected))).toBeLessThan(F64);
    expect(relativeError(prefilled.output!.data, prefix(expected, E))).toBeLessThan(F64);
  });

  it('bad input is named', () => {
    const q = input('q', [1, 2, 24, 4]);
    const v = input('v', [1, 2, 24, 4]);
    expect(() => logLinearAttention(q, q, v, input('lambda', [1, 2, 24, 5]), { name: 'll' })).toThrow(
      ShapeError,
    );
    expect(() => logLinearAttention(q, q, v, input('lambda', [1, 2, 24, 5]), { name: 'll' })).toThrow(
      /"ll": levelWeights/,
    );
    expect(() =>
      logLinearAttention(q, q, v, input('lambda', [1, 2, 24, 6]), {
        name: 'll',
        logDecay: input('a', [1, 24]),
      }),
    ).toThrow(/logDecay/);
    expect(() =>
      logLinearAttention(q, q, v, input('lambda', [1, 2, 24, 6]), { name: 'll', chunkSize: 12 }),
    ).toThrow(SpecError);
    const fused = logLinearAttention(q, q, v, input('lambda', [1, 2, 24, 6]), { name: 'll', form: 'fused' });
    expect(() => logLinearOp.infer([], { ...fused.output.attrs, chunkSize: 3 }, {} as never)).toThrow(
      /"ll": chunkSize must be a power of two/,
    );
    const types = fused.output.inputs.map((operand) => ({ shape: operand.shape, dtype: operand.dtype }));
    expect(() => logLinearOp.infer(types.slice(0, 3), fused.output.attrs, {} as never)).toThrow(
      /"ll": expected 4 operands/,
    );
    const state = logLinearStateInputs(1, 2, 4, 4, 4, 'll');
    const row = input('q', [1, 2, 1, 4]);
    expect(() =>
      logLinearDecodeStep(
        { query: row, key: row, value: row, levelWeights: input('l', [1, 2, 1, 4]), state },
        'll',
      ),
    ).toThrow(/"ll": levelWeights must be \[1, 2, 1, 5\]/);
  });
});
