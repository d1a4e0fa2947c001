import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { variable } from '../expr/expr.js';
import { makeGraph } from '../graph/graph.js';
import { interpret } from '../interpret/interpret.js';
import { mapElements } from '../ops/map-op.js';
import { literal } from '../ops/source-ops.js';
import { foldConstants } from './fold-constants.js';
import { simplify } from './simplify.js';

describe('foldConstants', () => {
  it('folds a map of literals whose body reads only operands and indices', () => {
    const node = mapElements(
      [literal([1, 2, 3], [3], 'i32')],
      variable('$0', 'i32').add(variable('i0', 'i32')),
    );
    expect(foldConstants(node)).toBe(literal([1, 3, 5], [3], 'i32'));
  });

  it('keeps a map whose body reads a symbolic dim size: its value depends on the run', () => {
    const seq = symbolicDim('seq', { max: 8 });
    const positions = literal([0, 1, 2, 3], [4], 'i32');
    const node = mapElements([positions], variable('$0', 'i32').add(variable(`dim:${seq.name}`, 'i32')));
    expect(foldConstants(node)).toBeUndefined();
    const graph = simplify(makeGraph({ y: node }));
    for (const seqLength of [1, 5]) {
      const { y } = interpret(graph, { dims: { seq: seqLength } });
      expect(Array.from(y!.data)).toEqual([0, 1, 2, 3].map((position) => position + seqLength));
    }
  });
});
