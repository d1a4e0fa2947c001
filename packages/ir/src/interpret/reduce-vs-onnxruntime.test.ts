import { afterAll, describe, it } from 'vitest';
import { compareWithOnnx, int64s, printSummary } from '../../test/onnxruntime-reference.js';
import type { Node } from '../graph/node.js';
import { argmax, cumsum, logsumexp, max, mean, min, prod, type ReduceOptions, sum, topk } from '../index.js';

type Reducer = (x: Node, axes?: number | readonly number[], options?: ReduceOptions) => Node;
const REDUCERS: [string, Reducer][] = [
  ['ReduceSum', sum],
  ['ReduceMean', mean],
  ['ReduceMax', max],
  ['ReduceMin', min],
  ['ReduceProd', prod],
  ['ReduceLogSumExp', logsumexp],
];

describe('reductions, scans and top-k agree with onnxruntime', () => {
  afterAll(() => printSummary('reductions'));

  for (const [onnxOp, build] of REDUCERS) {
    it(`${onnxOp} (opset 18, axes as input)`, async () => {
      const cases: [number[], number[], boolean][] = [
        [[3, 17], [1], false],
        [[2, 5, 7], [0, 2], true],
        [[4, 1, 6], [-2], false],
        [[9], [0], true],
      ];
      for (const [shape, axes, keepDims] of cases) {
        await compareWithOnnx({
          op: onnxOp,
          label: `[${shape}] axes ${axes} keepDims ${keepDims}`,
          inputs: [
            {
              name: 'x',
              shape,
              min: onnxOp === 'ReduceProd' ? 0.5 : -1,
              max: onnxOp === 'ReduceProd' ? 1.5 : 1,
            },
          ],
          weft: ([x]) => build(x!, axes, { keepDims }),
          onnx: [
            {
              opType: onnxOp,
              inputs: ['x', 'axes'],
              outputs: ['y'],
              attributes: { keepdims: { int: keepDims ? 1 : 0 } },
            },
          ],
          initializers: [int64s('axes', axes)],
        });
      }
    });
  }

  it('ArgMax (first maximum wins)', async () => {
    for (const [axis, keepDims] of [
      [1, false],
      [0, true],
      [-1, true],
    ] as const) {
      await compareWithOnnx({
        op: 'ArgMax',
        label: `axis ${axis}`,
        inputs: [{ name: 'x', shape: [4, 9, 3], dtype: 'i32', min: -3, max: 3 }],
        weft: ([x]) => argmax(x!, axis, { keepDims }),
        onnx: [
          {
            opType: 'ArgMax',
            inputs: ['x'],
            outputs: ['y'],
            attributes: { axis: { int: axis }, keepdims: { int: keepDims ? 1 : 0 } },
          },
        ],
        outputType: 'int64',
      });
    }
  });

  it('CumSum (inclusive/exclusive, forward/reverse)', async () => {
    for (const [exclusive, reverse] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      await compareWithOnnx({
        op: 'CumSum',
        label: `exclusive ${exclusive} reverse ${reverse}`,
        inputs: [{ name: 'x', shape: [3, 11] }],
        weft: ([x]) => cumsum(x!, 1, { exclusive, reverse }),
        onnx: [
          {
            opType: 'CumSum',
            inputs: ['x', 'axis'],
            outputs: ['y'],
            attributes: { exclusive: { int: +exclusive }, reverse: { int: +reverse } },
          },
        ],
        initializers: [{ name: 'axis', type: 'int64', shape: [], values: [1] }],
      });
    }
  });

  it('TopK values and indices (largest and smallest, ties to lower index)', async () => {
    for (const largest of [true, false]) {
      for (const output of ['values', 'indices'] as const) {
        await compareWithOnnx({
          op: 'TopK',
          label: `largest ${largest} ${output}`,
          inputs: [{ name: 'x', shape: [3, 10], dtype: 'i32', min: -4, max: 4 }],
          weft: ([x]) => topk(x!, 4, { axis: 1, largest })[output],
          onnx: [
            {
              opType: 'TopK',
              inputs: ['x', 'k'],
              outputs: output === 'values' ? ['y', 'unused'] : ['unused', 'y'],
              attributes: { axis: { int: 1 }, largest: { int: +largest }, sorted: { int: 1 } },
            },
          ],
          initializers: [int64s('k', [4])],
          outputType: output === 'values' ? 'int32' : 'int64',
        });
      }
    }
  });
});
