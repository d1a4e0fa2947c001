import { input, interpret, literal, makeGraph, UnsupportedError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { hoistQkTransforms } from './qk-transforms-before-kernel.js';
import { shiftRopePositions } from './shift-rope-positions.js';
import { attention } from './spec/attention-spec.js';
import { alibi, rope } from './spec/positions.js';

const values = (count: number, seed: number) =>
  Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));

describe('shiftRopePositions', () => {
  for (const layout of ['half', 'interleaved'] as const)
    it(`RoPE(k, p + Δ) = shift(RoPE(k, p), Δ), ${layout} pairs and partial rotary dims`, () => {
      const spec = attention({ heads: 2, headDim: 8, positions: rope({ layout, fraction: 0.5 }) });
      const k = input('k', [1, 2, 5, 8]);
      const rotated = (offset: number) =>
        hoistQkTransforms(
          spec,
          { query: k, key: k, value: k },
          { positionOffset: literal([offset], [1], 'i32') },
        ).inputs.key;
      const graph = makeGraph({ direct: rotated(37), shifted: shiftRopePositions(spec, rotated(0), 37) });
      const { direct, shifted } = interpret(graph, { inputs: { k: values(80, 1) } });
      for (const [i, value] of direct!.data.entries()) expect(shifted!.data[i]).toBeCloseTo(value, 9);
    });

  it('refuses a spec without 1-D RoPE and keys of another head dim, naming the attention', () => {
    const keys = input('k', [1, 2, 5, 8]);
    expect(() =>
      shiftRopePositions(attention({ name: 'a', heads: 2, headDim: 8, positions: alibi() }), keys, 3),
    ).toThrow(UnsupportedError);
    expect(() =>
      shiftRopePositions(attention({ name: 'b', heads: 2, headDim: 16, positions: rope() }), keys, 3),
    ).toThrow(/attention "b": keys to shift must be \[batch, heads, length, 16\]/);
    expect(() =>
      shiftRopePositions(attention({ name: 'c', heads: 2, headDim: 8, positions: rope() }), keys, 1.5),
    ).toThrow(/integer/);
  });
});
