import { describe, expect, it } from 'vitest';
import { graphNodes, makeGraph } from '../graph/graph.js';
import { add, exp, input, matmul, mul, reduce } from '../index.js';
import { type Growing, PlannerState } from './planner-state.js';

describe('PlannerState.someDependent', () => {
  it('answers as dependents(...).some(test) for every member and test', () => {
    const x = input('x', [4, 8]);
    const w = input('w', [8, 8]);
    const e = exp(x);
    const s = add(e, x);
    const m = matmul(s, w);
    const r = reduce('sum', mul(e, e), 1);
    const root = add(m, mul(s, s));
    const graph = makeGraph({ root, r });
    const state = new PlannerState(graph);
    const nodes = graphNodes(graph);
    // Kernels of every prefix of members: dependents stop at the kernel's edge.
    for (let size = 1; size <= nodes.length; size++) {
      const kernel: Growing = {
        root,
        members: new Set(nodes.slice(nodes.length - size)),
        matmul: undefined,
        domain: undefined,
        reductions: [],
      };
      const tests = [
        (node: (typeof nodes)[number]) => node.op === 'matmul',
        (node: (typeof nodes)[number]) => node.op === 'reduce',
        (node: (typeof nodes)[number]) => node === root,
        () => false,
      ];
      for (const node of nodes) {
        for (const test of tests) {
          expect(state.someDependent(kernel, node, test)).toBe(state.dependents(kernel, node).some(test));
        }
      }
    }
  });
});
