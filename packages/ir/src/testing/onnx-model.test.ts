import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeOnnxModel } from './onnx-model.js';
import { ONNX_PROTO_SUBSET } from './onnx-schema.js';
import { randomTensor } from './random.js';

const values = (count: number, seed: number, min = -1, max = 1) =>
  Float32Array.from(randomTensor([count], { seed, min, max }).data);

describe('encodeOnnxModel', () => {
  it('writes a ModelProto that decodes back to the graph it was given (IR 9, opsets, symbolic dims)', () => {
    const bytes = encodeOnnxModel({
      opset: 17,
      domainOpsets: { 'com.microsoft': 1 },
      inputs: [{ name: 'x', shape: ['rows', 3] }],
      outputs: [{ name: 'y', type: 'int64', shape: ['rows'] }],
      initializers: [{ name: 'axes', type: 'int64', shape: [1], values: [-1] }],
      nodes: [
        {
          opType: 'ArgMax',
          inputs: ['x'],
          outputs: ['y'],
          attributes: { axis: { int: -1 }, keepdims: { int: 0 } },
        },
      ],
    });
    const modelProto = protobuf
      .parse(ONNX_PROTO_SUBSET, { keepCase: true })
      .root.lookupType('onnx.ModelProto');
    const decoded = modelProto.toObject(modelProto.decode(bytes), { longs: Number, bytes: Array });
    expect(decoded.ir_version).toBe(9);
    expect(decoded.opset_import).toEqual([
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ]);
    expect(decoded.graph.node[0]).toMatchObject({
      op_type: 'ArgMax',
      attribute: [
        { name: 'axis', type: 2, i: -1 },
        { name: 'keepdims', type: 2 },
      ],
    });
    expect(decoded.graph.input[0].type.tensor_type).toEqual({
      elem_type: 1,
      shape: { dim: [{ dim_param: 'rows' }, { dim_value: 3 }] },
    });
    // int64 -1 as eight little-endian bytes of raw data.
    expect(decoded.graph.initializer[0]).toMatchObject({
      dims: [1],
      data_type: 7,
      raw_data: Array(8).fill(255),
    });
  });

  it('refuses a value that does not fit its field, naming it', () => {
    expect(() =>
      encodeOnnxModel({
        opset: 17,
        inputs: [],
        outputs: [],
        nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'], attributes: { alpha: { int: 0.5 } } }],
      }),
    ).toThrow(/encodeOnnxModel: .*i: integer\|Long expected/);
  });
});

describe('encodeOnnxModel (run on onnxruntime-node CPU)', () => {
  it('encodes MatMul with a weight initializer and LayerNormalization with float/int attributes', async () => {
    const rows = 5;
    const inner = 7;
    const columns = 6;
    const x = values(rows * inner, 1);
    const w = values(inner * columns, 2);
    const gamma = values(columns, 3, 0.5, 1.5);
    const beta = values(columns, 4);
    const epsilon = 1e-3;
    const bytes = encodeOnnxModel({
      opset: 17,
      inputs: [{ name: 'x', shape: ['rows', inner] }],
      outputs: [{ name: 'y', shape: ['rows', columns] }],
      initializers: [
        { name: 'w', shape: [inner, columns], values: w },
        { name: 'gamma', shape: [columns], values: gamma },
        { name: 'beta', shape: [columns], values: beta },
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
    // Dense float64 check: (x·w − mean) / sqrt(var + ε) · γ + β per row; f32 budget 1e-4 absolute.
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
    const x = values(count, 5, -3, 3);
    const bias = values(8, 6);
    const bytes = encodeOnnxModel({
      opset: 17,
      domainOpsets: { 'com.microsoft': 1 },
      inputs: [{ name: 'x', shape: [3, 8] }],
      outputs: [{ name: 'y', shape: [3, 8] }],
      initializers: [{ name: 'bias', shape: [8], values: bias }],
      nodes: [{ opType: 'BiasGelu', domain: 'com.microsoft', inputs: ['x', 'bias'], outputs: ['y'] }],
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
