import { describe, expect, it } from 'vitest';
import { makeGraph } from '../graph/graph.js';
import { add, mul } from '../ops/binary-ops.js';
import { input, param } from '../ops/source-ops.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { simplify } from './simplify.js';

describe('eliminateDeadCode', () => {
  it('reports inputs and parameters that simplification made unused', () => {
    const n = input('n', [4], 'i32');
    const unused = input('unused', [4], 'i32');
    const scale = param('scale', [4], 'i32');
    const original = makeGraph({ y: add(n, mul(mul(unused, scale), 0)) });
    const result = eliminateDeadCode(simplify(original), original);
    expect(result.graph.outputs.y).toBe(n);
    expect(result.inputs).toEqual([n]);
    expect(result.params).toEqual([]);
    expect(result.unusedInputs).toEqual(['unused']);
    expect(result.unusedParams).toEqual(['scale']);
  });

  it('lists live sources sorted by name', () => {
    const b = input('b', [2]);
    const a = input('a', [2]);
    const result = eliminateDeadCode(makeGraph({ y: add(b, a) }));
    expect(result.inputs.map((node) => node.attrs.name)).toEqual(['a', 'b']);
    expect(result.unusedInputs).toEqual([]);
  });
});
