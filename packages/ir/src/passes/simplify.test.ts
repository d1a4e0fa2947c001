import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { type Expr, variable } from '../expr/expr.js';
import { formatExpr } from '../expr/format-expr.js';
import { type Graph, graphNodes, makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import { interpret } from '../interpret/interpret.js';
import { add, div, mul, pow, sub } from '../ops/binary-ops.js';
import { broadcastTo } from '../ops/broadcast-op.js';
import { mapElements } from '../ops/map-op.js';
import { permute } from '../ops/permute-op.js';
import { reshape } from '../ops/reshape-op.js';
import { where } from '../ops/select-op.js';
import { full, input, literal } from '../ops/source-ops.js';
import { exp, neg } from '../ops/unary-ops.js';
import { expectClose, randomTensor } from '../testing/index.js';
import { simplify } from './simplify.js';
import { verify } from './verify.js';

const x = input('x', [3, 4]);

function simplified(node: Node): Node {
  const graph = simplify(makeGraph({ y: node }));
  verify(graph);
  return graph.outputs.y!;
}

/** Interprets both graphs on the same seeded inputs; float64, so equal up to rounding of reordered math (none here). */
function expectSameValues(before: Graph, after: Graph, inputs: Record<string, number[]>): void {
  const expected = interpret(before, { inputs });
  const actual = interpret(after, { inputs });
  for (const name of Object.keys(before.outputs))
    expectClose(actual[name]!, expected[name]!, { rtol: 0, atol: 0, label: name });
}

describe('simplify', () => {
  it('removes x + 0, 0 + x, x - 0, x * 1, x / 1 and x ^ 1', () => {
    for (const node of [add(x, 0), add(0, x), sub(x, 0), mul(x, 1), mul(1, x), div(x, 1), pow(x, 1)]) {
      expect(simplified(node)).toBe(x);
    }
  });

  it('keeps an identity that would change the shape (the zero broadcasts)', () => {
    const row = input('row', [4]);
    const node = add(row, full(0, [3, 4]));
    expect(simplified(node)).toBe(node);
  });

  it('folds x * 0 to zeros for integers only (NaN * 0 is NaN for floats)', () => {
    const integers = input('n', [3], 'i32');
    expect(simplified(mul(integers, 0))).toBe(full(0, [3], 'i32'));
    const floats = mul(x, 0);
    expect(simplified(floats)).toBe(floats);
  });

  it('folds elementwise ops of constants, including symbolic shapes', () => {
    const seq = symbolicDim('seq', { max: 16 });
    expect(simplified(mul(add(full(2, [seq]), full(3)), full(4)))).toBe(full(20, [seq]));
    expect(simplified(exp(full(0, [2])))).toBe(full(1, [2]));
  });

  it('folds small literal expressions into a literal', () => {
    const folded = simplified(mul(literal([1, 2, 3, 4], [2, 2]), literal([10, 100], [2])));
    expect(folded).toBe(literal([10, 200, 30, 400], [2, 2]));
    const moved = simplified(permute(literal([1, 2, 3, 4, 5, 6], [2, 3]), [1, 0]));
    expect(moved).toBe(literal([1, 4, 2, 5, 3, 6], [3, 2]));
  });

  it('leaves non-finite results unfolded', () => {
    const node = div(full(1, [2]), full(0, [2]));
    expect(simplified(node)).toBe(node);
  });

  it('cancels double negation, same-dtype casts and constant-condition selects', () => {
    expect(simplified(neg(neg(x)))).toBe(x);
    expect(simplified(makeNode('cast', [x], { dtype: 'f32' }))).toBe(x);
    const other = input('z', [3, 4]);
    expect(simplified(where(full(1, [], 'bool'), x, other))).toBe(x);
    expect(simplified(where(full(0, [], 'bool'), x, other))).toBe(other);
  });

  it('merges and removes movement ops', () => {
    expect(simplified(reshape(reshape(x, [12]), [3, 4]))).toBe(x);
    expect(simplified(reshape(reshape(x, [12]), [2, 6]))).toBe(reshape(x, [2, 6]));
    expect(simplified(permute(permute(x, [1, 0]), [1, 0]))).toBe(x);
    const cube = input('c', [2, 3, 4]);
    // out axis i of the outer permute is inner axis p2[i], i.e. source axis p1[p2[i]].
    expect(simplified(permute(permute(cube, [2, 0, 1]), [1, 2, 0]))).toBe(cube);
    expect(simplified(permute(permute(cube, [1, 0, 2]), [0, 2, 1]))).toBe(permute(cube, [1, 2, 0]));
    const row = input('row', [4]);
    expect(simplified(broadcastTo(broadcastTo(row, [3, 4]), [2, 3, 4]))).toBe(broadcastTo(row, [2, 3, 4]));
    expect(simplified(broadcastTo(x, [3, 4]))).toBe(x);
  });

  it('keeps every value of a graph that exercises every rule (seeded random inputs, exact)', () => {
    const cube = input('c', [2, 3, 4]);
    const node = add(
      mul(permute(permute(cube, [1, 0, 2]), [0, 2, 1]), add(full(1), full(0))),
      reshape(reshape(neg(neg(sub(x, full(0)))), [12]), [3, 4, 1]),
    );
    const before = makeGraph({ y: node, z: div(x, mul(literal([1, 1, 1, 1], [4]), full(1))) });
    const after = simplify(before);
    expect(graphNodes(after).length).toBeLessThan(graphNodes(before).length);
    expectSameValues(before, after, {
      c: Array.from(randomTensor([2, 3, 4], { seed: 7 }).data),
      x: Array.from(randomTensor([3, 4], { seed: 8 }).data),
    });
  });
});

describe('map operands', () => {
  it('drops operands the body never reads when the shape does not depend on them', () => {
    const a = input('a', [3, 4]);
    const unused = input('unused', [4]);
    const shapeGiver = input('rows', [3, 1]);
    const mapped = mapElements([unused, a], variable('$1').mul(2));
    const simplified = simplify(makeGraph({ y: mapped })).outputs.y!;
    expect(simplified.inputs).toEqual([a]);
    expect(formatExpr(simplified.attrs.body as Expr)).toBe(formatExpr(variable('$0').mul(2)));
    // An unread operand that decides the output shape stays.
    const kept = simplify(makeGraph({ y: mapElements([input('b', [4]), shapeGiver], variable('$0').add(1)) }))
      .outputs.y!;
    expect(kept.inputs).toHaveLength(2);
  });
});
