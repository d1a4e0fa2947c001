import { describe, expect, it } from 'vitest';
import { roundToDType } from './dtype.js';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float-bits.js';
import { seededRandom } from './testing/random.js';

/** Float64 reference: the nearest of two candidate encodings, ties to the even bit pattern. */
function nearestEven(value: number, lower: number, upper: number, decode: (bits: number) => number): number {
  const distanceLower = Math.abs(value - decode(lower));
  const distanceUpper = Math.abs(value - decode(upper));
  if (distanceLower !== distanceUpper) return distanceLower < distanceUpper ? lower : upper;
  return lower % 2 === 0 ? lower : upper;
}

/** Values spread over many binades (subnormal to overflow), both signs, rounded to float32. */
function sampleValues(seed: number, count: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const sign = random() < 0.5 ? -1 : 1;
    return Math.fround(sign * random() * 2 ** Math.floor(random() * 60 - 30));
  });
}

describe('half precision', () => {
  it('decodes then re-encodes every non-NaN bit pattern to itself', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToFloat32(bits);
      const back = float32ToFloat16Bits(value);
      const same = Number.isNaN(value) ? Number.isNaN(float16BitsToFloat32(back)) : back === bits;
      if (!same) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds float32 values exactly as the IR reference rounding to f16 does', () => {
    const values = sampleValues(11, 20_000);
    const mismatches = values.filter(
      (value) => float16BitsToFloat32(float32ToFloat16Bits(value)) !== roundToDType(value, 'f16'),
    );
    expect(mismatches).toEqual([]);
  });

  it('rounds ties to even and overflows to infinity', () => {
    // 1 + 2^-11 lies halfway between 1 and the next half 1 + 2^-10: the even pattern (1) wins.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-(2 ** -25))).toBe(0x8000);
    expect(float32ToFloat16Bits(2 ** -25 * 1.5)).toBe(0x0001);
  });
});

describe('bfloat16', () => {
  it('rounds float32 values to the nearest bfloat16 (float64 reference), ties to even', () => {
    const decode = bfloat16BitsToFloat32;
    const mismatches = sampleValues(12, 20_000).filter((value) => {
      const truncated = new Uint32Array(new Float32Array([value]).buffer)[0]! >>> 16;
      return float32ToBfloat16Bits(value) !== nearestEven(value, truncated, truncated + 1, decode);
    });
    expect(mismatches).toEqual([]);
  });

  it('keeps NaN a NaN and decodes by widening the bits', () => {
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(Number.NaN)))).toBe(true);
    expect(bfloat16BitsToFloat32(0x3f80)).toBe(1);
    expect(bfloat16BitsToFloat32(0xc040)).toBe(-3);
  });
});
