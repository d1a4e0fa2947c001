import { describe, expect, it } from 'vitest';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import type { OpDef } from '../ops/op-table.js';
import { input } from '../ops/source-ops.js';
import { relu } from '../ops/unary-ops.js';
import { planFusion } from './fusion-planner.js';

// An opaque op whose template computes its `part`s in one pass, as attention's output and log-sum-exp.
const twoPartOp: OpDef = {
  name: 'test.two-part',
  arity: 1,
  fusion: 'opaque',
  infer: (inputs) => inputs[0]!,
  sharedKernelKey: (node) => String(node.attrs.setting),
};
const part = (x: Node, which: string, setting = 1) => makeNode(twoPartOp, [x], { part: which, setting });

describe('mergeSharedOpaqueKernels', () => {
  const x = input('x', [4, 8]);
  it('gives nodes of one op over the same operands with equal keys one kernel that writes both', () => {
    const first = part(x, 'first');
    const second = part(x, 'second');
    const plan = planFusion(makeGraph({ a: relu(first), b: second }));
    const shared = plan.kernels.filter((kernel) => kernel.template === twoPartOp.name);
    expect(shared).toHaveLength(1);
    expect(shared[0]!.outputs).toEqual(expect.arrayContaining([first, second]));
    // Its reader comes after it.
    const reader = plan.kernels.findIndex((kernel) => kernel.inputs.includes(first));
    expect(reader).toBeGreaterThan(shared[0]!.id);
  });
  it('keeps a kernel each for other operands, other keys, and the unfused plan', () => {
    const y = input('y', [4, 8]);
    const count = (outputs: Record<string, Node>, fuse = true) =>
      planFusion(makeGraph(outputs), { fuse }).kernels.filter((kernel) => kernel.template === twoPartOp.name)
        .length;
    expect(count({ a: part(x, 'first'), b: part(y, 'second') })).toBe(2);
    expect(count({ a: part(x, 'first', 1), b: part(x, 'second', 2) })).toBe(2);
    expect(count({ a: part(x, 'first'), b: part(x, 'second') }, false)).toBe(2);
  });
});
