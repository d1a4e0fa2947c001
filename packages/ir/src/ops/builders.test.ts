import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { DTypeError, ShapeError, WeftError } from '../errors.js';
import { variable } from '../expr/expr.js';
import { makeGraph } from '../graph/graph.js';
import * as ir from '../index.js';
import { interpret } from '../interpret/interpret.js';
import { randomTensor } from '../testing/index.js';

const { input, param } = ir;

describe('op builders', () => {
  const x = input('x', [2, 3]);
  const w = param('w', [3, 4]);
  const b = input('flags', [2, 3], 'bool');
  const ids = input('ids', [5], 'i32');
  const unaryBuilders = [
    ir.neg,
    ir.abs,
    ir.sign,
    ir.floor,
    ir.ceil,
    ir.round,
    ir.exp,
    ir.log,
    ir.log1p,
    ir.expm1,
    ir.sqrt,
    ir.rsqrt,
    ir.reciprocal,
    ir.sin,
    ir.cos,
    ir.tanh,
    ir.erf,
    ir.sigmoid,
    ir.softplus,
    ir.relu,
    ir.gelu,
    ir.geluTanh,
    ir.silu,
  ];
  const binaryBuilders = [ir.add, ir.sub, ir.mul, ir.div, ir.mod, ir.pow, ir.minimum, ir.maximum];
  const comparisons = [ir.less, ir.lessEqual, ir.greater, ir.greaterEqual, ir.equal, ir.notEqual];

  it('build one node of every op with the inferred shape and dtype', () => {
    const shapes: [ir.Node, (number | string)[], string][] = [
      [ir.full(2, [2, 1]), [2, 1], 'f32'],
      [ir.literal([1, 2, 3], [3], 'i32'), [3], 'i32'],
      ...unaryBuilders.map((build): [ir.Node, number[], string] => [build(x), [2, 3], 'f32']),
      ...binaryBuilders.map((build): [ir.Node, number[], string] => [build(x, 2), [2, 3], 'f32']),
      ...comparisons.map((build): [ir.Node, number[], string] => [build(x, ir.full(0, [3])), [2, 3], 'bool']),
      [ir.logicalAnd(b, b), [2, 3], 'bool'],
      [ir.logicalOr(b, ir.logicalNot(b)), [2, 3], 'bool'],
      [ir.isNan(x), [2, 3], 'bool'],
      [ir.where(b, x, 0), [2, 3], 'f32'],
      [ir.astype(x, 'i32'), [2, 3], 'i32'],
      [ir.mapElements([x, ir.full(1, [3])], variable('$0').mul(variable('$1'))), [2, 3], 'f32'],
      [ir.reshape(x, [3, -1]), [3, 2], 'f32'],
      [ir.transpose(x), [3, 2], 'f32'],
      [ir.permute(x, [1, 0]), [3, 2], 'f32'],
      [ir.broadcastTo(x, [4, 2, 3]), [4, 2, 3], 'f32'],
      [ir.slice(x, [0, 1], [2, 3]), [2, 2], 'f32'],
      [ir.concat([x, x], 1), [2, 6], 'f32'],
      [ir.pad(x, [1, 0], [0, 2]), [3, 5], 'f32'],
      [ir.gather(w, ids), [5, 4], 'f32'],
      [ir.indexSelect(w, 1, ids), [3, 5], 'f32'],
      ...[ir.sum, ir.mean, ir.max, ir.min, ir.prod, ir.logsumexp].map(
        (build): [ir.Node, number[], string] => [build(x, -1, { keepDims: true }), [2, 1], 'f32'],
      ),
      [ir.sum(x), [], 'f32'],
      [ir.argmax(x, 1), [2], 'i32'],
      [ir.cumsum(x, 1), [2, 3], 'f32'],
      [ir.scan(x, { combine: variable('a').max(variable('b')) }), [2, 3], 'f32'],
      [ir.matmul(x, w), [2, 4], 'f32'],
      [
        ir.conv1d(input('s', [1, 3, 8]), param('k', [4, 3, 3]), undefined, { padding: 'causal' }),
        [1, 4, 8],
        'f32',
      ],
      [
        ir.conv2d(input('i', [1, 3, 8, 8]), param('k2', [6, 1, 3, 3]), undefined, {
          groups: 3,
          padding: 1,
          stride: 2,
        }),
        [1, 6, 4, 4],
        'f32',
      ],
      [ir.topk(x, 2).indices, [2, 2], 'i32'],
    ];
    for (const [node, shape, dtype] of shapes) {
      expect([node.op, node.shape, node.dtype]).toEqual([node.op, shape, dtype]);
    }
    expect(ir.BUILTIN_OPS.map((op) => op.name)).toHaveLength(23);
  });

  it('hash-cons structurally equal nodes', () => {
    expect(ir.add(x, 1)).toBe(ir.add(input('x', [2, 3]), 1));
    expect(ir.sum(x, [1, -1 + 2])).toBe(ir.sum(x, 1));
  });

  it('raise WeftErrors naming op, operand, dim, expected and actual', () => {
    expect(() => ir.matmul(x, param('v', [4, 4]))).toThrow(
      /matmul operand 1.*dim -2.*contraction dims differ \(expected 3, got 4\)/,
    );
    expect(() => ir.add(x, input('y', [4]))).toThrow(ShapeError);
    expect(() => ir.add(x, ids)).toThrow(DTypeError);
    expect(() => ir.exp(ids)).toThrow(/unary exp operand 0.*expected f32 \| f16, got i32/);
    expect(() => ir.reshape(x, [4, 2])).toThrow(/element count/);
    expect(() => ir.slice(x, [2], [1])).toThrow(/slice is empty/);
    expect(() => ir.conv1d(input('s', [1, 4, 8]), param('k', [4, 3, 3]), undefined, { groups: 2 })).toThrow(
      /weight channels/,
    );
    expect(() => ir.topk(x, 4)).toThrow(/k exceeds/);
    expect(() => ir.mapElements([x], variable('$1'))).toThrow(WeftError);
    expect(() => ir.makeNode('reduce', [x], { fn: 'median', axes: [0], keepDims: false })).toThrow(
      /attribute "fn"/,
    );
  });

  it('keep symbolic dims where sizes are not needed statically', () => {
    const seq = symbolicDim('seq', { max: 64 });
    const tokens = input('tokens', [seq, 8]);
    expect(ir.matmul(tokens, param('wq', [8, 4])).shape).toEqual([seq, 4]);
    expect(
      ir.conv1d(input('c', [2, 8, seq]), param('kc', [8, 1, 4]), undefined, { padding: 'causal', groups: 8 })
        .shape,
    ).toEqual([2, 8, seq]);
    expect(ir.reshape(tokens, [2, seq, 4]).shape).toEqual([2, seq, 4]);
    expect(() => ir.concat([tokens, tokens], 0)).toThrow(/static size/);
  });

  it('evaluate a symbolic graph for two bindings, matching the same graph built statically', () => {
    const seq = symbolicDim('seq', { max: 16 });
    const build = (length: number | typeof seq) => {
      const h = input('h', [length, 6]);
      const normalized = ir.sub(h, ir.logsumexp(h, 1, { keepDims: true }));
      const shuffled = ir.reshape(ir.transpose(ir.reshape(h, [length, 2, 3]), [0, 2, 1]), [length, 6]);
      return ir.add(ir.softplus(normalized), ir.mul(shuffled, ir.cumsum(h, 0)));
    };
    for (const length of [3, 11]) {
      const data = randomTensor([length, 6], { seed: length });
      const dynamic = interpret(makeGraph({ y: build(seq) }), { inputs: { h: data } }).y!;
      const fixed = interpret(makeGraph({ y: build(length) }), { inputs: { h: data } }).y!;
      expect(dynamic.shape).toEqual([length, 6]);
      expect(Array.from(dynamic.data)).toEqual(Array.from(fixed.data));
    }
  });
});
