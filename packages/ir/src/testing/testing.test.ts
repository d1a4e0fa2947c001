import { describe, expect, it } from 'vitest';
import { expectClose, relativeError } from './expect-close.js';
import { encodeOnnxModel } from './onnx-model.js';
import { randomIndices, randomTensor, seededRandom } from './random.js';

describe('test helpers', () => {
  it('seededRandom is deterministic and roughly uniform', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it('randomTensor stays in range, away from zero, and f32-representable', () => {
    const t = randomTensor([64, 33], { seed: 9, min: -2, max: 3 });
    for (const v of t.data) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(3);
      expect(Math.abs(v)).toBeGreaterThanOrEqual(0.3);
      expect(Math.fround(v)).toBe(v);
    }
    const ints = randomTensor([500], { seed: 2, dtype: 'i32' });
    expect(ints.data.every((v) => Number.isInteger(v) && v !== 0 && v >= -10 && v <= 10)).toBe(true);
    const indices = randomIndices([300], 7, 5);
    expect(new Set(indices.data)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it('expectClose reports the worst element with both values, errors and tolerance', () => {
    const expected = { shape: [2, 3], dtype: 'f32' as const, data: Float64Array.of(1, 2, 3, 4, 5, 6) };
    const actual = Float64Array.of(1, 2, 3.001, 4, 5.1, 6);
    expect(() => expectClose(actual, expected, { rtol: 1e-3, atol: 0, label: 'demo' })).toThrow(
      'demo: 1 of 6 elements differ beyond atol 0 + rtol 0.001·|expected|; worst at 4 [1, 1]: actual 5.1, expected 5, abs error 1.000e-1, rel error 2.000e-2',
    );
    expect(() => expectClose([Number.NaN], [1])).toThrow(/actual NaN/);
    expect(expectClose([Number.NaN, Infinity], [Number.NaN, Infinity]).maxAbsError).toBe(0);
    expect(expectClose(actual, expected, { rtol: 0.05 }).relativeError).toBeCloseTo(0.1 / 6, 12);
  });

  it('relativeError is the max abs difference over the max |expected|', () => {
    expect(relativeError([1, 2.5, -4], [1, 2, -5])).toBeCloseTo(1 / 5, 15);
    expect(relativeError([0, 1e-40], [0, 0])).toBe(1e-40 / 1e-30);
  });

  it('encodeOnnxModel writes protobuf varints, including negative int64 as ten bytes', () => {
    const bytes = encodeOnnxModel({
      opset: 18,
      inputs: [{ name: 'x', type: 'float', shape: [2] }],
      outputs: [{ name: 'y', type: 'float', shape: [2] }],
      nodes: [{ opType: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: { int: -1 } } }],
    });
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x08, 9]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('Softmax');
    expect(Array.from(bytes).join(',')).toContain(
      [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01].join(','),
    );
  });
});
