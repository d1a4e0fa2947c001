import { afterAll, describe, it } from 'vitest';
import { compareWithOnnx, printSummary } from '../../test/onnxruntime-reference.js';
import { conv1d, conv2d, matmul } from '../index.js';

describe('matmul and convolutions agree with onnxruntime', () => {
  afterAll(() => printSummary('matmul/conv'));

  it('MatMul (batched, broadcast batch dims, odd sizes)', async () => {
    const cases: [number[], number[]][] = [
      [
        [3, 5],
        [5, 7],
      ],
      [
        [2, 4, 33],
        [33, 1],
      ],
      [
        [2, 1, 3, 6],
        [5, 6, 4],
      ],
      [
        [1, 1],
        [1, 9],
      ],
    ];
    for (const [shapeA, shapeB] of cases) {
      await compareWithOnnx({
        op: 'MatMul',
        label: `[${shapeA}] x [${shapeB}]`,
        inputs: [
          { name: 'a', shape: shapeA },
          { name: 'b', shape: shapeB },
        ],
        weft: ([a, b]) => matmul(a!, b!),
        onnx: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
      });
    }
  });

  it('MatMul with transposeA/transposeB equals MatMul of transposed operands', async () => {
    await compareWithOnnx({
      op: 'MatMul',
      label: 'transposeA & transposeB',
      inputs: [
        { name: 'a', shape: [2, 6, 3] },
        { name: 'b', shape: [2, 5, 6] },
      ],
      weft: ([a, b]) => matmul(a!, b!, { transposeA: true, transposeB: true }),
      onnx: [
        { opType: 'Transpose', inputs: ['a'], outputs: ['at'], attributes: { perm: { ints: [0, 2, 1] } } },
        { opType: 'Transpose', inputs: ['b'], outputs: ['bt'], attributes: { perm: { ints: [0, 2, 1] } } },
        { opType: 'MatMul', inputs: ['at', 'bt'], outputs: ['y'] },
      ],
    });
  });

  const CONV1D: {
    label: string;
    x: number[];
    w: number[];
    stride: number;
    pads: [number, number];
    dilation: number;
    groups: number;
  }[] = [
    { label: 'plain', x: [2, 3, 11], w: [4, 3, 3], stride: 1, pads: [0, 0], dilation: 1, groups: 1 },
    {
      label: 'stride 2, padding',
      x: [1, 4, 10],
      w: [2, 4, 5],
      stride: 2,
      pads: [2, 1],
      dilation: 1,
      groups: 1,
    },
    { label: 'causal dilated', x: [2, 2, 9], w: [3, 2, 3], stride: 1, pads: [4, 0], dilation: 2, groups: 1 },
    { label: 'grouped', x: [1, 6, 8], w: [4, 3, 2], stride: 1, pads: [1, 1], dilation: 1, groups: 2 },
    { label: 'depthwise', x: [2, 5, 7], w: [5, 1, 3], stride: 1, pads: [2, 0], dilation: 1, groups: 5 },
  ];
  it('Conv 1-D (stride, padding, dilation, groups, depthwise, causal)', async () => {
    for (const c of CONV1D) {
      await compareWithOnnx({
        op: 'Conv1d',
        label: c.label,
        inputs: [
          { name: 'x', shape: c.x },
          { name: 'w', shape: c.w },
          { name: 'b', shape: [c.w[0]!] },
        ],
        weft: ([x, w, b]) =>
          conv1d(x!, w!, b, { stride: c.stride, padding: c.pads, dilation: c.dilation, groups: c.groups }),
        onnx: [
          {
            opType: 'Conv',
            inputs: ['x', 'w', 'b'],
            outputs: ['y'],
            attributes: {
              strides: { ints: [c.stride] },
              pads: { ints: c.pads },
              dilations: { ints: [c.dilation] },
              group: { int: c.groups },
            },
          },
        ],
      });
    }
  });

  it('Conv 2-D (plain, strided, padded, dilated, grouped, depthwise; without bias)', async () => {
    const cases: {
      label: string;
      x: number[];
      w: number[];
      stride: [number, number];
      pads: [number, number, number, number];
      dilation: [number, number];
      groups: number;
    }[] = [
      {
        label: 'plain',
        x: [1, 2, 6, 5],
        w: [3, 2, 3, 3],
        stride: [1, 1],
        pads: [0, 0, 0, 0],
        dilation: [1, 1],
        groups: 1,
      },
      {
        label: 'strided padded',
        x: [2, 3, 7, 9],
        w: [4, 3, 3, 2],
        stride: [2, 3],
        pads: [1, 0, 2, 1],
        dilation: [1, 1],
        groups: 1,
      },
      {
        label: 'dilated',
        x: [1, 1, 9, 9],
        w: [2, 1, 3, 3],
        stride: [1, 1],
        pads: [2, 2, 2, 2],
        dilation: [2, 2],
        groups: 1,
      },
      {
        label: 'grouped',
        x: [1, 4, 5, 5],
        w: [6, 2, 2, 2],
        stride: [1, 1],
        pads: [0, 1, 0, 1],
        dilation: [1, 1],
        groups: 2,
      },
      {
        label: 'depthwise',
        x: [1, 3, 6, 4],
        w: [3, 1, 3, 3],
        stride: [1, 1],
        pads: [1, 1, 1, 1],
        dilation: [1, 1],
        groups: 3,
      },
    ];
    for (const c of cases) {
      await compareWithOnnx({
        op: 'Conv2d',
        label: c.label,
        inputs: [
          { name: 'x', shape: c.x },
          { name: 'w', shape: c.w },
        ],
        weft: ([x, w]) =>
          conv2d(x!, w!, undefined, {
            stride: c.stride,
            padding: c.pads,
            dilation: c.dilation,
            groups: c.groups,
          }),
        onnx: [
          {
            opType: 'Conv',
            inputs: ['x', 'w'],
            outputs: ['y'],
            attributes: {
              strides: { ints: c.stride },
              // ONNX orders pads [top, left, bottom, right]; Weft [top, bottom, left, right].
              pads: { ints: [c.pads[0], c.pads[2], c.pads[1], c.pads[3]] },
              dilations: { ints: c.dilation },
              group: { int: c.groups },
            },
          },
        ],
      });
    }
  });
});
