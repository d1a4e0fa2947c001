import { describe, expect, it } from 'vitest';
import { variable } from '../expr/expr.js';
import { makeGraph } from '../graph/graph.js';
import { add } from '../ops/binary-ops.js';
import { mapElements } from '../ops/map-op.js';
import { permute } from '../ops/permute-op.js';
import { full, input, literal } from '../ops/source-ops.js';
import { formatGraph } from './format-graph.js';

describe('formatGraph', () => {
  it('prints sources, function attributes, other attributes, Exprs and long literals', () => {
    const x = input('x', [2, 12]);
    const table = literal(
      Array.from({ length: 12 }, (_, i) => i / 2),
      [12],
    );
    const scaled = mapElements([add(x, table), full(-0)], variable('$0').mul(variable('$1')));
    expect(formatGraph(makeGraph({ y: permute(scaled, [1, 0]), x }))).toMatchInlineSnapshot(`
      "%0 = input "x" : f32[2, 12]
      %1 = literal [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, … 12 values] : f32[12]
      %2 = binary.add(%0, %1) : f32[2, 12]
      %3 = constant -0 : f32[]
      %4 = map(%2, %3) {body=$0 * $1} : f32[2, 12]
      %5 = permute(%4) {perm=[1, 0]} : f32[12, 2]
      return y=%5, x=%0"
    `);
  });
});
