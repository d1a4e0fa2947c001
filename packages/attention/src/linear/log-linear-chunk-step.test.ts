import { full, input, interpret, makeGraph } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLogLinear } from '../../test/dense-log-linear.js';
import { logLinearAttention } from './log-linear-attention.js';
import { logLinearChunkStep } from './log-linear-chunk-step.js';

// The chunk step continues a Fenwick state at position p over C positions (count of them real):
// its outputs against the paper's dense (QKᵀ ⊙ H) V over the whole prefix (test/dense-log-linear,
// written from the paper), its next state against the prefix state of p + count positions.
const [B, H, D, E] = [1, 2, 4, 3];
/** λ columns: levels 0 … 5, so the state has 5 levels (32 positions). */
const L = 6;

/** Rows [from, to) of a row-major [B, H, N, width] array. */
function rows(data: ArrayLike<number>, n: number, width: number, from: number, to: number): Float64Array {
  const out = new Float64Array(B * H * (to - from) * width);
  for (let bh = 0; bh < B * H; bh++)
    for (let t = from; t < to; t++)
      for (let i = 0; i < width; i++)
        out[(bh * (to - from) + t - from) * width + i] = data[(bh * n + t) * width + i]!;
  return out;
}

function prefixState(values: Record<string, Float64Array>, n: number, length: number) {
  const { state } = logLinearAttention(
    input('q', [B, H, length, D]),
    input('k', [B, H, length, D]),
    input('v', [B, H, length, E]),
    input('lambda', [B, H, length, L]),
    { name: 'prefix', logDecay: input('a', [B, H, length]), returnState: true, form: 'quadratic' },
  );
  const take = (name: string, width: number) => rows(values[name]!, n, width, 0, length);
  const inputs = {
    q: take('q', D),
    k: take('k', D),
    v: take('v', E),
    lambda: take('lambda', L),
    a: take('a', 1),
  };
  return interpret(makeGraph({ levels: state!.levels }), { inputs }).levels!.data;
}

describe('log-linear chunk step (paper 109), float64', () => {
  it.each([
    [0, 8, 8],
    [5, 8, 8],
    [5, 8, 3],
    [11, 4, 4],
    [7, 1, 1],
    [13, 8, 6],
    [16, 8, 8],
  ])('state at p = %i, chunk of %i with %i real positions', (p, C, count) => {
    const n = p + C;
    const tensor = (shape: number[], seed: number, min = -1, max = 1) =>
      Float64Array.from(randomTensor(shape, { seed: 97 * p + 13 * count + seed, min, max }).data);
    const values = {
      q: tensor([B, H, n, D], 1),
      k: tensor([B, H, n, D], 2),
      v: tensor([B, H, n, E], 3),
      lambda: tensor([B, H, n, L], 4, 0, 2),
      a: tensor([B, H, n], 5, -0.6, 0),
    };
    const levels = p === 0 ? new Float64Array(B * H * (L - 1) * D * E) : prefixState(values, n, p);
    const step = logLinearChunkStep(
      {
        query: input('q', [B, H, C, D]),
        key: input('k', [B, H, C, D]),
        value: input('v', [B, H, C, E]),
        levelWeights: input('lambda', [B, H, C, L]),
        logDecay: input('a', [B, H, C]),
        state: { levels: input('levels', [B, H, L - 1, D, E]), position: input('position', [1]) },
        count: full(count, [1], 'i32'),
      },
      'chunk',
    );
    const chunk = (name: keyof typeof values, width: number) => rows(values[name], n, width, p, n);
    const out = interpret(
      makeGraph({ output: step.output, levels: step.state.levels, position: step.state.position }),
      {
        inputs: {
          q: chunk('q', D),
          k: chunk('k', D),
          v: chunk('v', E),
          lambda: chunk('lambda', L),
          a: chunk('a', 1),
          levels,
          position: [p],
        },
      },
    );
    const end = p + count;
    const prefix = (name: keyof typeof values, width: number) => rows(values[name], n, width, 0, end);
    const dense = denseLogLinear(
      { B, H, N: end, D, E, L },
      {
        q: prefix('q', D),
        k: prefix('k', D),
        v: prefix('v', E),
        lambda: prefix('lambda', L),
        a: prefix('a', 1),
      },
    );
    const expected = rows(dense, end, E, p, end);
    const actual = rows(out.output!.data, C, E, 0, count);
    const scale = Math.max(...expected.map(Math.abs));
    for (let i = 0; i < expected.length; i++)
      expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-12 * scale);
    // The next state is the prefix state of p + count positions.
    const next = prefixState(values, n, end);
    for (let i = 0; i < next.length; i++) expect(out.levels!.data[i]).toBeCloseTo(next[i]!, 12);
    expect(Array.from(out.position!.data)).toEqual([end]);
  });
});
