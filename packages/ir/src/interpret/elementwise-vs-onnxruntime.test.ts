import { afterAll, describe, it } from 'vitest';
import { compareWithOnnx, printSummary } from '../../test/onnxruntime-reference.js';
import type { Node } from '../graph/node.js';
import {
  abs,
  add,
  astype,
  ceil,
  cos,
  div,
  equal,
  erf,
  exp,
  floor,
  gelu,
  greater,
  less,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  sigmoid,
  sin,
  softplus,
  sqrt,
  sub,
  tanh,
  where,
} from '../index.js';

const UNARY: [string, (x: Node) => Node, { min?: number; max?: number }][] = [
  ['Exp', exp, { min: -4, max: 4 }],
  ['Log', log, { min: 0.05, max: 20 }],
  ['Sqrt', sqrt, { min: 0.05, max: 20 }],
  ['Tanh', tanh, { min: -4, max: 4 }],
  ['Erf', erf, { min: -3, max: 3 }],
  ['Sigmoid', sigmoid, { min: -8, max: 8 }],
  ['Softplus', softplus, { min: -8, max: 8 }],
  ['Relu', relu, {}],
  ['Abs', abs, {}],
  ['Neg', neg, {}],
  ['Floor', floor, { min: -5, max: 5 }],
  ['Ceil', ceil, { min: -5, max: 5 }],
  ['Sin', sin, { min: -6, max: 6 }],
  ['Cos', cos, { min: -6, max: 6 }],
  ['Reciprocal', reciprocal, { min: -4, max: 4 }],
];

const SHAPES: number[][] = [[1], [7], [3, 5], [2, 1, 9]];

describe('elementwise ops agree with onnxruntime (float32 CPU)', () => {
  afterAll(() => printSummary('elementwise'));

  for (const [onnxOp, build, range] of UNARY) {
    it(`unary ${onnxOp}`, async () => {
      for (const shape of SHAPES) {
        await compareWithOnnx({
          op: onnxOp,
          label: `[${shape}]`,
          inputs: [{ name: 'x', shape, ...range }],
          weft: ([x]) => build(x!),
          onnx: [{ opType: onnxOp, inputs: ['x'], outputs: ['y'] }],
        });
      }
    });
  }

  it('Gelu (opset 20, exact and tanh forms)', async () => {
    await compareWithOnnx({
      op: 'Gelu',
      label: 'erf [4, 33]',
      inputs: [{ name: 'x', shape: [4, 33], min: -5, max: 5 }],
      weft: ([x]) => gelu(x!),
      onnx: [{ opType: 'Gelu', inputs: ['x'], outputs: ['y'] }],
      opset: 20,
    });
  });

  const BINARY: [string, (a: Node, b: Node) => Node, { min?: number; max?: number }][] = [
    ['Add', add, {}],
    ['Sub', sub, {}],
    ['Mul', mul, {}],
    ['Div', div, {}],
    ['Pow', pow, { min: 0.1, max: 3 }],
    ['Min', minimum, {}],
    ['Max', maximum, {}],
  ];
  const BROADCASTS: [number[], number[]][] = [
    [[5], [5]],
    [
      [3, 1, 7],
      [4, 1],
    ],
    [[1], [2, 3]],
    [
      [2, 3, 5],
      [1, 5],
    ],
  ];
  for (const [onnxOp, build, range] of BINARY) {
    it(`binary ${onnxOp} with broadcasting`, async () => {
      for (const [shapeA, shapeB] of BROADCASTS) {
        await compareWithOnnx({
          op: onnxOp,
          label: `[${shapeA}] x [${shapeB}]`,
          inputs: [
            { name: 'a', shape: shapeA, ...range },
            { name: 'b', shape: shapeB, ...(onnxOp === 'Pow' ? { min: -2, max: 2 } : range) },
          ],
          weft: ([a, b]) => build(a!, b!),
          onnx: [{ opType: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
        });
      }
    });
  }

  it('comparisons (Less, Greater, Equal) give bool', async () => {
    const cases: [string, (a: Node, b: Node) => Node][] = [
      ['Less', less],
      ['Greater', greater],
      ['Equal', equal],
    ];
    for (const [onnxOp, build] of cases) {
      await compareWithOnnx({
        op: onnxOp,
        label: '[3, 4] x [4] i32',
        inputs: [
          { name: 'a', shape: [3, 4], dtype: 'i32', min: -3, max: 3 },
          { name: 'b', shape: [4], dtype: 'i32', min: -3, max: 3 },
        ],
        weft: ([a, b]) => build(a!, b!),
        onnx: [{ opType: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
      });
    }
  });

  it('Where with three-way broadcasting', async () => {
    await compareWithOnnx({
      op: 'Where',
      label: '[3, 1] ? [1, 5] : [3, 5]',
      inputs: [
        { name: 'c', shape: [3, 1], dtype: 'bool' },
        { name: 'a', shape: [1, 5] },
        { name: 'b', shape: [3, 5] },
      ],
      weft: ([c, a, b]) => where(c!, a!, b!),
      onnx: [{ opType: 'Where', inputs: ['c', 'a', 'b'], outputs: ['y'] }],
    });
  });

  it('Cast float → int32 truncates, int32 → float', async () => {
    await compareWithOnnx({
      op: 'Cast',
      label: 'f32 → i32',
      inputs: [{ name: 'x', shape: [6, 7], min: -20, max: 20 }],
      weft: ([x]) => astype(x!, 'i32'),
      onnx: [{ opType: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: { int: 6 } } }],
    });
    await compareWithOnnx({
      op: 'Cast',
      label: 'i32 → f32',
      inputs: [{ name: 'x', shape: [9], dtype: 'i32' }],
      weft: ([x]) => astype(x!, 'f32'),
      onnx: [{ opType: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: { int: 1 } } }],
    });
  });
});
