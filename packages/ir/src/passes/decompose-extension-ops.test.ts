import { describe, expect, it } from 'vitest';
import { GraphError } from '../errors.js';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import { interpret } from '../interpret/interpret.js';
import { add, mul } from '../ops/binary-ops.js';
import type { OpDef } from '../ops/op-table.js';
import { input } from '../ops/source-ops.js';
import { expectClose, randomTensor } from '../testing/index.js';
import { decomposeExtensionOps } from './decompose-extension-ops.js';
import { verify } from './verify.js';

// Extension ops of the kind other packages define: `test.axpy(a, x, y) = a·x + y`, defined only by its decomposition.
const axpyOp: OpDef = {
  name: 'test.axpy',
  arity: 3,
  fusion: 'opaque',
  infer: (inputs) => inputs[1]!,
  decompose: (node) => add(mul(node.inputs[0]!, node.inputs[1]!), node.inputs[2]!),
};
const twiceAxpyOp: OpDef = {
  name: 'test.twice-axpy',
  arity: 3,
  fusion: 'opaque',
  infer: (inputs) => inputs[1]!,
  decompose: (node) => makeNode(axpyOp, [node.inputs[0]!, makeNode(axpyOp, node.inputs), node.inputs[2]!]),
};
const selfOp: OpDef = {
  name: 'test.self',
  arity: 1,
  fusion: 'opaque',
  infer: (inputs) => inputs[0]!,
  decompose: (node) => node,
};

describe('decomposeExtensionOps', () => {
  const a = input('a', [3]);
  const x = input('x', [3]);
  const y = input('y', [3]);

  it('decomposes nested extension ops down to primitives and keeps the value', () => {
    const graph = makeGraph({ z: makeNode(twiceAxpyOp, [a, x, y]) });
    const decomposed = decomposeExtensionOps(graph);
    verify(decomposed);
    expect(decomposed.outputs.z).toBe(add(mul(a, add(mul(a, x), y)), y));
    const inputs = {
      a: randomTensor([3], { seed: 1 }),
      x: randomTensor([3], { seed: 2 }),
      y: randomTensor([3], { seed: 3 }),
    };
    expectClose(interpret(decomposed, { inputs }).z!, interpret(graph, { inputs }).z!, { rtol: 0, atol: 0 });
  });

  it('decomposes only the named ops when asked', () => {
    const graph = makeGraph({ z: makeNode(twiceAxpyOp, [a, x, y]) });
    const outer = decomposeExtensionOps(graph, ['test.twice-axpy']).outputs.z!;
    expect(outer.op).toBe('test.axpy');
  });

  it('throws a GraphError for an op that decomposes into itself', () => {
    expect(() => decomposeExtensionOps(makeGraph({ z: makeNode(selfOp, [a]) }))).toThrow(GraphError);
  });
});
