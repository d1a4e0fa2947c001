import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { randomValues } from '../random-values.js';
import { encodeOnnxModel } from './onnx-model.js';
import { encodeVarint } from './protobuf-writer.js';

describe('encodeVarint', () => {
  it('writes the protobuf varint form, including values above 2^31', () => {
    expect([...encodeVarint(1)]).toEqual([1]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint(2 ** 35)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => encodeVarint(-1)).toThrow(RangeError);
  });
});

describe('encodeOnnxModel (run on onnxruntime-node CPU)', () => {
  it('encodes MatMul with a weight initializer and LayerNormalization with float/int attributes', async () => {
    const rows = 5;
    const inner = 7;
    const columns = 6;
    const x = randomValues(rows * inner, 1);
    const w = randomValues(inner * columns, 2);
    const gamma = randomValues(columns, 3, 0.5, 1.5);
    const beta = randomValues(columns, 4);
    const epsilon = 1e-3;
    const bytes = encodeOnnxModel({
      inputs: [{ name: 'x', shape: ['rows', inner] }],
      outputs: [{ name: 'y', shape: ['rows', columns] }],
      initializers: [
        { name: 'w', shape: [inner, columns], data: w },
        { name: 'gamma', shape: [columns], data: gamma },
        { name: 'beta', shape: [columns], data: beta },
      ],
      nodes: [
        { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        {
          opType: 'LayerNormalization',
          inputs: ['h', 'gamma', 'beta'],
          outputs: ['y'],
          attributes: { axis: { int: 1 }, epsilon: { float: epsilon } },
        },
      ],
    });
    const session = await ort.InferenceSession.create(bytes);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [rows, inner]) });
    expect(y?.dims).toEqual([rows, columns]);
    const actual = y?.data as Float32Array;

    for (let row = 0; row < rows; row++) {
      const h = Array.from({ length: columns }, (_, column) => {
        let sum = 0;
        for (let k = 0; k < inner; k++) sum += x[row * inner + k]! * w[k * columns + column]!;
        return sum;
      });
      const mean = h.reduce((a, b) => a + b, 0) / columns;
      const variance = h.reduce((a, b) => a + (b - mean) ** 2, 0) / columns;
      for (let column = 0; column < columns; column++) {
        const expected =
          ((h[column]! - mean) / Math.sqrt(variance + epsilon)) * gamma[column]! + beta[column]!;
        expect(actual[row * columns + column]).toBeCloseTo(expected, 4);
      }
    }
    await session.release();
  });

  it('encodes a com.microsoft contrib op (BiasGelu) with its opset', async () => {
    const count = 24;
    const x = randomValues(count, 5, -3, 3);
    const bias = randomValues(8, 6);
    const bytes = encodeOnnxModel({
      inputs: [{ name: 'x', shape: [3, 8] }],
      outputs: [{ name: 'y', shape: [3, 8] }],
      initializers: [{ name: 'bias', shape: [8], data: bias }],
      nodes: [{ opType: 'BiasGelu', domain: 'com.microsoft', inputs: ['x', 'bias'], outputs: ['y'] }],
      opsets: { '': 17, 'com.microsoft': 1 },
    });
    const session = await ort.InferenceSession.create(bytes);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [3, 8]) });
    const actual = y?.data as Float32Array;
    for (let index = 0; index < count; index++) {
      const value = x[index]! + bias[index % 8]!;
      // Exact GELU through erf, which JS lacks: compare with tanh GELU, within its 1e-3 deviation.
      const tanhGelu =
        0.5 * value * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (value + 0.044715 * value ** 3)));
      expect(Math.abs(actual[index]! - tanhGelu)).toBeLessThan(2e-3);
    }
    await session.release();
  });
});
