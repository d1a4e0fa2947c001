import { describe, expect, it } from 'vitest';
import { variable } from '../expr/expr.js';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import {
  add,
  div,
  exp,
  input,
  literal,
  mapElements,
  matmul,
  max,
  mean,
  mul,
  scan,
  sub,
  sum,
} from '../index.js';
import type { OpDef } from '../ops/op-table.js';
import { randomTensor } from '../testing/index.js';
import { interpret } from './interpret.js';

const f32 = Math.fround;

describe("interpret with precision 'f32'", () => {
  it('accumulates a sum in f32, in order: 1e8 + 1 − 1e8 is 0, not 1', () => {
    const graph = makeGraph({ total: sum(input('x', [3])) });
    const inputs = { x: [1e8, 1, -1e8] };
    expect(interpret(graph, { inputs }).total!.data[0]).toBe(1);
    expect(interpret(graph, { inputs, precision: 'f32' }).total!.data[0]).toBe(0);
  });

  it('sums many small numbers as a sequential f32 accumulator does', () => {
    const count = 100_000;
    const graph = makeGraph({ total: sum(input('x', [count])), average: mean(input('x', [count])) });
    const inputs = { x: new Float64Array(count).fill(0.1) };
    let expected = 0;
    for (let i = 0; i < count; i++) expected = f32(expected + f32(0.1));
    const result = interpret(graph, { inputs, precision: 'f32' });
    expect(result.total!.data[0]).toBe(expected);
    expect(result.average!.data[0]).toBe(f32(expected / count));
    // The f32 sum drifts far from 10⁴ (float64: within 1e-6 of it).
    expect(Math.abs(expected - 10_000)).toBeGreaterThan(0.1);
    expect(Math.abs(interpret(graph, { inputs }).total!.data[0]! - 10_000)).toBeLessThan(1e-6);
  });

  it('rounds inputs and every result to f32, and leaves float64 the default', () => {
    const graph = makeGraph({ y: mul(input('x', [2]), 3) });
    const inputs = { x: [0.1, 1 / 3] };
    expect(Array.from(interpret(graph, { inputs }).y!.data)).toEqual([0.1 * 3, (1 / 3) * 3]);
    expect(Array.from(interpret(graph, { inputs, precision: 'f32' }).y!.data)).toEqual([
      f32(f32(0.1) * 3),
      f32(f32(1 / 3) * 3),
    ]);
  });

  it('computes a matmul as the f32 loop: each product and partial sum rounded, in order', () => {
    const a = randomTensor([3, 40], { seed: 1 });
    const b = randomTensor([40, 5], { seed: 2 });
    const graph = makeGraph({ c: matmul(input('a', [3, 40]), input('b', [40, 5])) });
    const c = interpret(graph, { inputs: { a, b }, precision: 'f32' }).c!;
    const expected = new Float64Array(15);
    for (let row = 0; row < 3; row++) {
      for (let col = 0; col < 5; col++) {
        let total = 0;
        for (let k = 0; k < 40; k++)
          total = f32(total + f32(f32(a.data[row * 40 + k]!) * f32(b.data[k * 5 + col]!)));
        expected[row * 5 + col] = total;
      }
    }
    expect(Array.from(c.data)).toEqual(Array.from(expected));
    const exact = interpret(graph, { inputs: { a, b } }).c!;
    expect(Array.from(c.data)).not.toEqual(Array.from(exact.data));
  });

  it('computes a softmax as the f32 loop: max, rounded exp of the rounded difference, f32 sum, rounded quotient', () => {
    const rows = 4;
    const cols = 33;
    const x = input('x', [rows, cols]);
    const shifted = exp(sub(x, max(x, -1, { keepDims: true })));
    const graph = makeGraph({ p: div(shifted, sum(shifted, -1, { keepDims: true })) });
    const data = randomTensor([rows, cols], { seed: 3 }).data.map((value) => value * 20);
    const p = interpret(graph, { inputs: { x: data }, precision: 'f32' }).p!;
    const expected: number[] = [];
    for (let row = 0; row < rows; row++) {
      const line = Array.from(data.subarray(row * cols, (row + 1) * cols), f32);
      const peak = Math.max(...line);
      const e = line.map((value) => f32(Math.exp(f32(value - peak))));
      let total = 0;
      for (const value of e) total = f32(total + value);
      expected.push(...e.map((value) => f32(value / total)));
    }
    expect(Array.from(p.data)).toEqual(expected);
  });

  it('rounds every step of a map body and of a scan', () => {
    const x = input('x', [3]);
    const body = variable('$0').mul(variable('$0')).add(0.1).div(3);
    const graph = makeGraph({ y: mapElements([x], body), running: scan(x, { axis: 0, fn: 'sum' }) });
    const data = [1.1, 2.2, 3.3];
    const result = interpret(graph, { inputs: { x: data }, precision: 'f32' });
    expect(Array.from(result.y!.data)).toEqual(
      data.map((value) => f32(f32(f32(f32(value) * f32(value)) + f32(0.1)) / 3)),
    );
    const running: number[] = [];
    data.reduce((total, value) => {
      running.push(f32(total + f32(value)));
      return running.at(-1)!;
    }, 0);
    expect(Array.from(result.running!.data)).toEqual(running);
  });

  it('evaluates an extension op through its decomposition in f32, and rounds the result of one without', () => {
    // Both compute x · (1 + 2⁻³⁰): f32 loses the increment, float64 keeps it.
    const tiny = 2 ** -30;
    const decomposedOp: OpDef = {
      name: 'test.f32-decomposed',
      arity: 1,
      fusion: 'opaque',
      infer: ([a]) => ({ shape: a!.shape, dtype: a!.dtype }),
      evaluate: ([a]) => ({ ...a!, data: a!.data.map((value) => value + value * tiny) }),
      decompose: (node) => add(node.inputs[0]!, mul(node.inputs[0]!, literal([tiny], [1]))),
    };
    const opaqueOp: OpDef = {
      name: 'test.f32-opaque',
      arity: 1,
      fusion: 'opaque',
      infer: ([a]) => ({ shape: a!.shape, dtype: a!.dtype }),
      evaluate: ([a]) => ({ ...a!, data: a!.data.map((value) => value * (1 + tiny) * 3) }),
    };
    const x = input('x', [1]);
    const graph = makeGraph({
      decomposed: makeNode(decomposedOp, [x]),
      opaque: makeNode(opaqueOp, [x]),
    });
    const exact = interpret(graph, { inputs: { x: [1] } });
    const single = interpret(graph, { inputs: { x: [1] }, precision: 'f32' });
    expect(exact.decomposed!.data[0]).toBe(1 + tiny);
    expect(single.decomposed!.data[0]).toBe(1);
    // Evaluated in float64 and rounded once: 3·(1 + 2⁻³⁰) rounds to 3.
    expect(single.opaque!.data[0]).toBe(f32(3 * (1 + tiny)));
  });
});
