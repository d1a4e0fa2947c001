import { describe, expect, it } from 'vitest';
import { GraphError } from '../errors.js';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import { add, input, mul } from '../index.js';
import type { Extension } from '../ops/extension.js';
import type { OpDef } from '../ops/op-table.js';
import { graphFromJSON, graphToJSON } from './graph-json.js';

// An extension op known only by its decomposition: `test.axpy(a, x, y) = a·x + y`.
const axpyOp: OpDef = {
  name: 'test.json-axpy',
  arity: 3,
  fusion: 'opaque',
  infer: (inputs) => inputs[1]!,
  decompose: (node) => add(mul(node.inputs[0]!, node.inputs[1]!), node.inputs[2]!),
};
const axpy: Extension = { name: 'axpy', ops: [axpyOp] };

function axpyGraph() {
  const [a, x, y] = ['a', 'x', 'y'].map((name) => input(name, [3]));
  return makeGraph({ z: makeNode(axpyOp, [a!, x!, y!]) });
}

describe('graphFromJSON with extensions', () => {
  it('resolves extension ops from the given extensions and rebuilds the same nodes', () => {
    const graph = axpyGraph();
    const rebuilt = graphFromJSON(JSON.stringify(graphToJSON(graph)), { extensions: [axpy] });
    expect(rebuilt.outputs.z).toBe(graph.outputs.z);
    expect(rebuilt.outputs.z!.def).toBe(axpyOp);
  });

  it('asks resolveOp before ops, with the attributes', () => {
    const seen: string[] = [];
    const resolving: Extension = {
      name: 'resolving',
      resolveOp: (op) => {
        seen.push(op);
        return op === axpyOp.name ? axpyOp : undefined;
      },
    };
    const graph = axpyGraph();
    expect(graphFromJSON(graphToJSON(graph), { extensions: [resolving] }).outputs.z).toBe(graph.outputs.z);
    expect(seen).toEqual([axpyOp.name]);
  });

  it('names the unknown op and where to find it when no extension defines it', () => {
    const json = graphToJSON(axpyGraph());
    expect(() => graphFromJSON(json)).toThrow(GraphError);
    expect(() => graphFromJSON(json)).toThrow(/unknown op "test.json-axpy".*no extensions were given/);
    const attention = JSON.parse(JSON.stringify(json).replaceAll('test.json-axpy', 'attention'));
    expect(() => graphFromJSON(attention, { extensions: [axpy] })).toThrow(
      /unknown op "attention".*'@weft\/attention\/kernels'.*extensions given: axpy/,
    );
  });
});

describe('makeNode with op definitions', () => {
  it('resolves names only among the built-in ops', () => {
    expect(() => makeNode('test.json-axpy', [])).toThrow(/unknown op "test.json-axpy"/);
  });

  it('refuses two different definitions of one op among live nodes', () => {
    const graph = axpyGraph();
    const copy: OpDef = { ...axpyOp };
    expect(() => makeNode(copy, graph.outputs.z!.inputs)).toThrow(
      /two different definitions of op "test.json-axpy"/,
    );
  });
});
