import { applyAttention, attention, rope } from '@weft/attention';
import { input, interpret, makeGraph } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { maxRelativeError } from '../max-relative-error.js';
import { randomValues } from '../random-values.js';
import { type RopeTables, ropeTables } from './rope-tables.js';

const HEAD_DIM = 16;
const QUERIES = 3;
const KEYS = 7;
const query = randomValues(QUERIES * HEAD_DIM, 301);
const key = randomValues(KEYS * HEAD_DIM, 302);
const value = randomValues(KEYS * HEAD_DIM, 303);

/**
 * Weft's attention op with `rope()` must equal attention without positions on queries and keys
 * rotated with the tables: queries at positions Nk − Nq + i (the last Nq positions, as the tfjs
 * decoder uses them after a KV cache), keys at 0 … Nk − 1. Both sides run on the float64
 * reference interpreter; the tables are float32, so agreement is to about 1e-7.
 */
describe('ropeTables', () => {
  for (const fraction of [1, 0.5]) {
    it(`rotates like Weft's rope() (fraction ${fraction}, half layout, base 10 000)`, () => {
      const rotaryDims = HEAD_DIM * fraction;
      const tables = ropeTables(KEYS, rotaryDims, 10_000);
      const expected = attend({ positions: rope({ base: 10_000, fraction }), query, key });
      const rotated = attend({
        query: rotateRows(query, QUERIES, KEYS - QUERIES, tables),
        key: rotateRows(key, KEYS, 0, tables),
      });
      expect(maxRelativeError(rotated, expected)).toBeLessThan(1e-6);
      // The check is sharp: queries rotated from position 0 instead give a clearly different output.
      const misplaced = attend({
        query: rotateRows(query, QUERIES, 0, tables),
        key: rotateRows(key, KEYS, 0, tables),
      });
      expect(maxRelativeError(misplaced, expected)).toBeGreaterThan(1e-3);
    });
  }

  it('starts at the identity and keeps float32 values of the float64 angles', () => {
    const { cos, sin, pairs } = ropeTables(40, 16, 500);
    expect(pairs).toBe(8);
    for (let pair = 0; pair < pairs; pair++) {
      expect(cos[pair]).toBe(1);
      expect(sin[pair]).toBe(0);
    }
    const angle = 37 * 500 ** (-6 / 16);
    expect(cos[37 * 8 + 3]).toBe(Math.fround(Math.cos(angle)));
    expect(sin[37 * 8 + 3]).toBe(Math.fround(Math.sin(angle)));
  });

  it('refuses an odd or too small number of rotated dims', () => {
    expect(() => ropeTables(4, 7, 10_000)).toThrow(RangeError);
    expect(() => ropeTables(4, 0, 10_000)).toThrow(RangeError);
  });
});

/** One head of attention (no mask) on the float64 interpreter. */
function attend(options: {
  readonly query: Float32Array | Float64Array;
  readonly key: Float32Array | Float64Array;
  readonly positions?: ReturnType<typeof rope>;
}): Float64Array {
  const spec = attention({
    heads: 1,
    headDim: HEAD_DIM,
    ...(options.positions === undefined ? {} : { positions: options.positions }),
  });
  const { output } = applyAttention(spec, {
    query: input('q', [1, 1, QUERIES, HEAD_DIM]),
    key: input('k', [1, 1, KEYS, HEAD_DIM]),
    value: input('v', [1, 1, KEYS, HEAD_DIM]),
  });
  const inputs = { q: Array.from(options.query), k: Array.from(options.key), v: Array.from(value) };
  return interpret(makeGraph({ y: output }), { inputs }).y!.data as Float64Array;
}

/** `rows` head rows rotated to positions `first …` in the half layout, as the tfjs decoder does. */
function rotateRows(data: Float32Array, rows: number, first: number, tables: RopeTables): Float64Array {
  const { pairs } = tables;
  const rotated = Float64Array.from(data);
  for (let row = 0; row < rows; row++) {
    const base = row * HEAD_DIM;
    for (let pair = 0; pair < pairs; pair++) {
      const cos = tables.cos[(first + row) * pairs + pair]!;
      const sin = tables.sin[(first + row) * pairs + pair]!;
      const x = data[base + pair]!;
      const y = data[base + pair + pairs]!;
      rotated[base + pair] = x * cos - y * sin;
      rotated[base + pair + pairs] = y * cos + x * sin;
    }
  }
  return rotated;
}
