import { afterAll, describe, it } from 'vitest';
import { compareWithOnnx, int64s, printSummary } from '../../test/onnxruntime-reference.js';
import { broadcastTo, concat, gather, pad, reshape, slice, transpose } from '../index.js';
import { randomIndices } from '../testing/index.js';

describe('movement ops agree with onnxruntime', () => {
  afterAll(() => printSummary('movement'));

  it('Reshape (including -1 and size-1 dims)', async () => {
    for (const [from, to] of [
      [
        [2, 3, 4],
        [4, 6],
      ],
      [
        [5, 1, 3],
        [3, 5],
      ],
      [[7], [1, 7, 1]],
    ] as const) {
      await compareWithOnnx({
        op: 'Reshape',
        label: `[${from}] → [${to}]`,
        inputs: [{ name: 'x', shape: from }],
        weft: ([x]) => reshape(x!, [...to.slice(0, -1), -1]),
        onnx: [{ opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
        initializers: [int64s('shape', to)],
      });
    }
  });

  it('Transpose', async () => {
    for (const perm of [
      [1, 0, 2],
      [2, 0, 1],
      [0, 2, 1],
    ]) {
      await compareWithOnnx({
        op: 'Transpose',
        label: `perm ${perm}`,
        inputs: [{ name: 'x', shape: [2, 3, 5] }],
        weft: ([x]) => transpose(x!, perm),
        onnx: [{ opType: 'Transpose', inputs: ['x'], outputs: ['y'], attributes: { perm: { ints: perm } } }],
      });
    }
  });

  it('Expand', async () => {
    await compareWithOnnx({
      op: 'Expand',
      label: '[3, 1] → [2, 3, 5]',
      inputs: [{ name: 'x', shape: [3, 1] }],
      weft: ([x]) => broadcastTo(x!, [2, 3, 5]),
      onnx: [{ opType: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] }],
      initializers: [int64s('shape', [2, 3, 5])],
    });
  });

  it('Slice with negative indices and steps', async () => {
    const cases: [number[], number[], number[]][] = [
      [
        [1, 0],
        [3, 7],
        [1, 2],
      ],
      [
        [-1, -2],
        [-4, 1],
        [-1, -1],
      ],
      [
        [0, 5],
        [100, -100],
        [2, -3],
      ],
    ];
    for (const [starts, ends, steps] of cases) {
      await compareWithOnnx({
        op: 'Slice',
        label: `${starts}:${ends}:${steps}`,
        inputs: [{ name: 'x', shape: [5, 7] }],
        weft: ([x]) => slice(x!, starts, ends, steps),
        onnx: [{ opType: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }],
        initializers: [
          int64s('starts', starts),
          int64s('ends', ends),
          int64s('axes', [0, 1]),
          int64s('steps', steps),
        ],
      });
    }
  });

  it('Concat on each axis', async () => {
    for (const axis of [0, 1, -1]) {
      const shapes = [
        [2, 3, 4],
        [2, 3, 4],
        [2, 3, 4],
      ].map((shape, k) => {
        const copy = [...shape];
        copy[axis < 0 ? axis + 3 : axis] = k + 1;
        return copy;
      });
      await compareWithOnnx({
        op: 'Concat',
        label: `axis ${axis}`,
        inputs: shapes.map((shape, k) => ({ name: `x${k}`, shape })),
        weft: (nodes) => concat(nodes, axis),
        onnx: [
          {
            opType: 'Concat',
            inputs: ['x0', 'x1', 'x2'],
            outputs: ['y'],
            attributes: { axis: { int: axis } },
          },
        ],
      });
    }
  });

  it('Pad (constant)', async () => {
    await compareWithOnnx({
      op: 'Pad',
      label: '[3, 4] pads [1, 0 | 2, 3]',
      inputs: [{ name: 'x', shape: [3, 4] }],
      weft: ([x]) => pad(x!, [1, 0], [2, 3], 0.5),
      onnx: [
        {
          opType: 'Pad',
          inputs: ['x', 'pads', 'value'],
          outputs: ['y'],
          attributes: { mode: { string: 'constant' } },
        },
      ],
      initializers: [
        int64s('pads', [1, 0, 2, 3]),
        { name: 'value', type: 'float', shape: [], values: [0.5] },
      ],
    });
  });

  it('Gather on axes 0 and 1 with 2-D indices', async () => {
    for (const axis of [0, 1]) {
      await compareWithOnnx({
        op: 'Gather',
        label: `axis ${axis}`,
        inputs: [
          { name: 'table', shape: [5, 6, 3] },
          { name: 'indices', shape: [2, 3], values: randomIndices([2, 3], axis === 0 ? 5 : 6, 7 + axis) },
        ],
        weft: ([table, indices]) => gather(table!, indices!, axis),
        onnx: [
          {
            opType: 'Gather',
            inputs: ['table', 'indices'],
            outputs: ['y'],
            attributes: { axis: { int: axis } },
          },
        ],
      });
    }
  });
});
