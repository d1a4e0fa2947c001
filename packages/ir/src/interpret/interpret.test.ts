import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { InputError, ShapeError } from '../errors.js';
import { variable } from '../expr/expr.js';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import { add, gather, input, literal, mapElements, mul, param, scan, sum } from '../index.js';
import type { OpDef } from '../ops/op-table.js';
import { expectClose, randomTensor } from '../testing/index.js';
import { interpret } from './interpret.js';
import { tensor64 } from './tensor64.js';

describe('interpret', () => {
  const x = input('x', [2, 3]);
  const w = param('w', [3]);

  it('names a missing or mis-sized input/parameter', () => {
    const graph = makeGraph({ y: mul(x, w) });
    expect(() => interpret(graph, { inputs: { x: [1, 2, 3, 4, 5, 6] } })).toThrow(InputError);
    expect(() => interpret(graph, { inputs: { x: [1, 2, 3, 4, 5, 6] } })).toThrow(
      /tensor "w": parameter is missing/,
    );
    expect(() => interpret(graph, { inputs: { x: [1, 2] }, params: { w: [1, 2, 3] } })).toThrow(
      /tensor "x": input has the wrong element count \(expected 6 \(shape \[2, 3\]\), got 2\)/,
    );
  });

  it('binds symbolic dims from options or from Tensor64 shapes, within their maximum', () => {
    const seq = symbolicDim('seq', { max: 8 });
    const graph = makeGraph({ total: sum(input('h', [seq, 2]), 0) });
    const h = tensor64([3, 2], [1, 2, 3, 4, 5, 6]);
    expect(Array.from(interpret(graph, { inputs: { h } }).total!.data)).toEqual([9, 12]);
    expect(Array.from(interpret(graph, { inputs: { h: [1, 1] }, dims: { seq: 1 } }).total!.data)).toEqual([
      1, 1,
    ]);
    expect(() => interpret(graph, { inputs: { h: new Array(18).fill(1) }, dims: { seq: 9 } })).toThrow(
      ShapeError,
    );
  });

  it('rejects out-of-range gather indices', () => {
    const graph = makeGraph({ y: gather(param('table', [4, 2]), literal([1, 4], [2], 'i32')) });
    expect(() => interpret(graph, { params: { table: new Array(8).fill(1) } })).toThrow(
      /gather index out of range.*got 4/,
    );
  });

  it('evaluates map bodies with index variables and custom scans', () => {
    const data = randomTensor([2, 3], { seed: 5 });
    const body = variable('$0').mul(variable('i1', 'i32').cast('f32')).add(variable('$1'));
    const graph = makeGraph({
      mapped: mapElements([x, w], body),
      running: scan(x, { axis: 1, combine: variable('a').mul(0.5).add(variable('b')) }),
    });
    const weights = randomTensor([3], { seed: 6 });
    const result = interpret(graph, { inputs: { x: data }, params: { w: weights } });
    const expectedMapped = data.data.map((v, i) => v * (i % 3) + weights.data[i % 3]!);
    expectClose(result.mapped!, expectedMapped, { rtol: 1e-15, atol: 0 });
    const expectedRunning = new Float64Array(6);
    for (let row = 0; row < 2; row++) {
      let running = Number.NaN;
      for (let col = 0; col < 3; col++) {
        const v = data.data[row * 3 + col]!;
        running = col === 0 ? v : running * 0.5 + v;
        expectedRunning[row * 3 + col] = running;
      }
    }
    expectClose(result.running!, expectedRunning, { rtol: 1e-15, atol: 0 });
  });

  it('evaluates extension ops through their decomposition', () => {
    const axpyOp: OpDef = {
      name: 'test.axpy',
      arity: 2,
      fusion: 'opaque',
      infer: ([a]) => ({ shape: a!.shape, dtype: a!.dtype }),
      decompose: (node) => add(mul(node.inputs[0]!, 2), node.inputs[1]!),
    };
    const data = randomTensor([2, 3], { seed: 8 });
    const y = interpret(makeGraph({ y: makeNode(axpyOp, [x, x]) }), { inputs: { x: data } }).y!;
    expectClose(
      y,
      data.data.map((v) => 3 * v),
      { rtol: 1e-15, atol: 0 },
    );
  });

  it('rounds integer results to their dtype', () => {
    const ints = input('ints', [3], 'i32');
    const y = interpret(makeGraph({ y: mul(ints, 2 ** 30) }), { inputs: { ints: [1, 2, 3] } }).y!;
    expect(Array.from(y.data)).toEqual([2 ** 30, -(2 ** 31), -(2 ** 30)]);
  });
});
