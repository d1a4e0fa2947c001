import { encodeOnnxModel, expectClose } from '@weft/ir/test';
import * as ort from 'onnxruntime-node';
import { describe, it } from 'vitest';
import { buildCase, type CaseShape, referenceOf } from '../test/attention-case.js';
import { causal, softcap } from './index.js';

/** Runs ONNX `Attention` (opset 23) on onnxruntime-node's CPU provider with 4-D [B, H, N, d] inputs. */
async function onnxAttention(
  shape: CaseShape,
  inputs: Record<string, Float32Array>,
  attributes: Record<string, { int: number } | { float: number }>,
) {
  const dims = (heads: number, length: number, dim: number) => [shape.batch, heads, length, dim];
  const model = encodeOnnxModel({
    opset: 23,
    inputs: [
      { name: 'q', type: 'float', shape: dims(shape.heads, shape.queries, shape.headDim) },
      { name: 'k', type: 'float', shape: dims(shape.kvHeads, shape.keys, shape.headDim) },
      { name: 'v', type: 'float', shape: dims(shape.kvHeads, shape.keys, shape.valueDim) },
    ],
    outputs: [{ name: 'y', type: 'float', shape: dims(shape.heads, shape.queries, shape.valueDim) }],
    nodes: [{ opType: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attributes }],
  });
  const session = await ort.InferenceSession.create(model);
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([name, data]) => {
      const [heads, length, dim] =
        name === 'q'
          ? [shape.heads, shape.queries, shape.headDim]
          : [shape.kvHeads, shape.keys, name === 'k' ? shape.headDim : shape.valueDim];
      return [name, new ort.Tensor('float32', data, dims(heads, length, dim))];
    }),
  );
  const result = await session.run(feeds);
  return result.y!.data as Float32Array;
}

describe('softmax attention against onnxruntime-node (ONNX Attention, opset 23, CPU)', () => {
  const cases: [string, CaseShape, boolean, number | undefined][] = [
    [
      'MHA',
      { batch: 2, heads: 4, kvHeads: 4, queries: 13, keys: 13, headDim: 8, valueDim: 8 },
      false,
      undefined,
    ],
    [
      'MHA causal',
      { batch: 2, heads: 4, kvHeads: 4, queries: 13, keys: 13, headDim: 8, valueDim: 8 },
      true,
      undefined,
    ],
    [
      'GQA causal',
      { batch: 1, heads: 6, kvHeads: 2, queries: 17, keys: 17, headDim: 16, valueDim: 16 },
      true,
      undefined,
    ],
    [
      'MQA softcap',
      { batch: 1, heads: 4, kvHeads: 1, queries: 7, keys: 11, headDim: 8, valueDim: 8 },
      false,
      0.7,
    ],
  ];
  for (const [name, shape, isCausal, cap] of cases) {
    it(name, async () => {
      const testCase = buildCase(
        shape,
        {
          ...(isCausal ? { mask: causal({ align: 'top-left' }) } : {}),
          ...(cap === undefined ? {} : { score: [softcap(cap)] }),
        },
        {},
        40,
      );
      const inputs = Object.fromEntries(
        ['q', 'k', 'v'].map((input) => [input, Float32Array.from(testCase.inputs[input]!.data)]),
      );
      const actual = await onnxAttention(shape, inputs, {
        is_causal: { int: isCausal ? 1 : 0 },
        ...(cap === undefined ? {} : { softcap: { float: cap } }),
      });
      // onnxruntime computes in f32; inputs are f32-exact, so the difference is f32 rounding.
      expectClose(actual, referenceOf(testCase).output!, { rtol: 1e-5, atol: 1e-6, label: `onnx ${name}` });
    });
  }
});
