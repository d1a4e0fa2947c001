import { describe, expect, it } from 'vitest';
import { add, exp, input, makeGraph, mul } from '../index.js';
import { graphNodes, topoSort } from './graph.js';
import { Node } from './node.js';

describe('graphNodes keeps the last order of a list of outputs', () => {
  it('gives each list of outputs its own order, even when the first output is the same', () => {
    const x = input('x', [4]);
    const y = exp(x);
    const z = add(y, input('w', [4]));
    const first = graphNodes(makeGraph({ y }));
    const wider = graphNodes(makeGraph({ y, z }));
    const reordered = graphNodes(makeGraph({ z, y }));
    expect(first).toEqual(topoSort([y]));
    expect(wider).toEqual(topoSort([y, z]));
    expect(wider).not.toEqual(first);
    expect(reordered).toEqual(topoSort([z, y]));
    // Asked again after the others, each list still gets its own order.
    expect(graphNodes(makeGraph({ y }))).toEqual(topoSort([y]));
    expect(graphNodes(makeGraph({ y, z }))).toEqual(topoSort([y, z]));
  });

  it('returns a new array each time: a caller that sorts or edits it changes no later answer', () => {
    const x = input('x', [4]);
    const graph = makeGraph({ y: mul(exp(x), x) });
    const order = graphNodes(graph);
    const expected = [...order];
    order.reverse();
    order.pop();
    expect(graphNodes(graph)).toEqual(expected);
    expect(graphNodes(graph)).not.toBe(graphNodes(graph));
  });

  it('does not keep the order of a graph whose node has an operand list that can still change', () => {
    const x = input('x', [4]);
    const w = input('w', [4]);
    const operands: Node[] = [x];
    const loose = new Node('unary', operands, { fn: 'exp' }, [4], 'f32', 'loose-node', exp(x).def);
    expect(graphNodes(makeGraph({ loose }))).toEqual([x, loose]);
    operands[0] = w;
    expect(graphNodes(makeGraph({ loose }))).toEqual([w, loose]);
  });
});
