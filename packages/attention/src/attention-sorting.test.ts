import { input, interpret, makeGraph, ShapeError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionSortingOrder, attentionSortingScores } from './attention-sorting.js';
import { queryKeyMagnitudes } from './query-key-magnitudes.js';
import { attention } from './spec/attention-spec.js';
import { rope } from './spec/positions.js';

describe('attentionSortingScores', () => {
  it('averages the last row over every (layer, head) pair, layers of different head counts included', () => {
    // Layer 1: 2 heads, layer 2: 1 head; 3 queries, 2 segments. Only the last query row counts.
    const one = Float32Array.from([9, 9, 9, 9, 0.2, 0.8, /* head 2 */ 9, 9, 9, 9, 0.6, 0.4]);
    const two = Float32Array.from([9, 9, 9, 9, 0.1, 0.9]);
    const graph = makeGraph({
      scores: attentionSortingScores([input('a', [1, 2, 3, 2]), input('b', [1, 1, 3, 2])]),
    });
    const { scores } = interpret(graph, { inputs: { a: one, b: two } });
    const expected = [(0.2 + 0.6 + 0.1) / 3, (0.8 + 0.4 + 0.9) / 3];
    for (const [segment, value] of expected.entries()) expect(scores!.data[segment]).toBeCloseTo(value, 6);
  });

  it('names the layer whose readout has the wrong shape', () => {
    expect(() => attentionSortingScores([input('a', [1, 2, 3, 2]), input('b', [1, 2, 3, 5])])).toThrow(
      /segment mass of layer 2 has the wrong shape/,
    );
    expect(() => attentionSortingScores([])).toThrow(ShapeError);
  });

  it('orders documents ascending by score, ties in their current order', () => {
    expect(attentionSortingOrder([0.4, 0.1, 0.3])).toEqual([1, 2, 0]);
    expect(attentionSortingOrder([0.2, 0.1, 0.2])).toEqual([1, 0, 2]);
  });
});

describe('queryKeyMagnitudes', () => {
  it('gives [batch, heads, headDim] norms, and RoPE keeps each rotated pair’s total', () => {
    const spec = attention({ heads: 2, kvHeads: 1, headDim: 4, positions: rope() });
    const norms = queryKeyMagnitudes(spec, {
      query: input('q', [1, 2, 5, 4]),
      key: input('k', [1, 1, 5, 4]),
    });
    expect(norms.query.shape).toEqual([1, 2, 4]);
    expect(norms.rotatedKey.shape).toEqual([1, 1, 4]);
    const q = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i + 1));
    const k = Float32Array.from({ length: 20 }, (_, i) => Math.cos(i + 1));
    const out = interpret(makeGraph({ ...norms }), { inputs: { q, k } });
    // A rotation moves magnitude between dims d and d + 2 (the `half` pairs), never in or out.
    const pairTotal = (data: ArrayLike<number>, row: number, d: number) =>
      data[row * 4 + d]! ** 2 + data[row * 4 + d + 2]! ** 2;
    for (const [before, after, rows] of [
      [out.query!.data, out.rotatedQuery!.data, 2],
      [out.key!.data, out.rotatedKey!.data, 1],
    ] as const)
      for (let row = 0; row < rows; row++)
        for (const d of [0, 1]) expect(pairTotal(after, row, d)).toBeCloseTo(pairTotal(before, row, d), 10);
  });
});
