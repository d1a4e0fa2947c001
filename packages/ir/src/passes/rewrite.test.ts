import { describe, expect, it } from 'vitest';
import { GraphError } from '../errors.js';
import { makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import { add, mul } from '../ops/binary-ops.js';
import { full, input } from '../ops/source-ops.js';
import { exp, neg } from '../ops/unary-ops.js';
import { rewriteGraph, rewriteNode, ruleSet } from './rewrite.js';

describe('rewriteGraph', () => {
  const x = input('x', [4]);

  it('rewrites bottom-up to a fixpoint, including nodes that rules create', () => {
    // exp(x) → neg(neg(x)) and neg(neg(y)) → y: the rule's output must itself be rewritten.
    const rules = ruleSet('test', {
      unary: [
        (node) => (node.attrs.fn === 'exp' ? neg(neg(node.inputs[0]!)) : undefined),
        (node) => {
          const inner = node.inputs[0]!;
          return node.attrs.fn === 'neg' && inner.op === 'unary' && inner.attrs.fn === 'neg'
            ? inner.inputs[0]
            : undefined;
        },
      ],
    });
    const graph = rewriteGraph(makeGraph({ y: add(exp(exp(x)), x) }), rules);
    expect(graph.outputs.y).toBe(add(x, x));
  });

  it('applies each rule to each distinct node once (memoized by identity)', () => {
    let calls = 0;
    const shared = exp(x);
    const rules = ruleSet('count', {
      unary: [
        () => {
          calls++;
          return undefined;
        },
      ],
    });
    rewriteGraph(makeGraph({ a: add(shared, shared), b: mul(shared, x) }), rules);
    expect(calls).toBe(1);
  });

  it('tries wildcard rules on every op', () => {
    const seen: string[] = [];
    const rules = ruleSet('wildcard', {
      '*': [
        (node: Node) => {
          seen.push(node.op);
          return undefined;
        },
      ],
    });
    rewriteNode(add(exp(x), full(2)), rules);
    expect(seen.sort()).toEqual(['binary', 'constant', 'input', 'unary']);
  });

  it('throws a GraphError on a rule set that never settles', () => {
    // Alternates between two equivalent forms forever.
    const rules = ruleSet('flip', {
      binary: [(node) => makeNode('binary', [node.inputs[1]!, node.inputs[0]!], node.attrs)],
    });
    expect(() => rewriteNode(add(x, exp(x)), rules)).toThrow(GraphError);
    expect(() => rewriteNode(add(x, exp(x)), rules)).toThrow(/does not terminate/);
  });

  it('throws a GraphError when a rule changes a node type', () => {
    const rules = ruleSet('bad', { unary: [() => input('other', [5])] });
    expect(() => rewriteNode(exp(x), rules)).toThrow(/changed the type of a "unary" node/);
  });
});
