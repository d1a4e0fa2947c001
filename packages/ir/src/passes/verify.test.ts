import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { GraphError, WeftError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import { structuralHash } from '../graph/hash.js';
import { Node } from '../graph/node.js';
import { add } from '../ops/binary-ops.js';
import { builtinOp } from '../ops/builtin-ops.js';
import { input } from '../ops/source-ops.js';
import { exp, unaryOp } from '../ops/unary-ops.js';
import { verify } from './verify.js';

const x = input('x', [2, 3]);

/** A node built around `makeNode`'s checks, as a buggy pass or a hand-edited document could. */
function rawNode(
  op: string,
  inputs: Node[],
  attrs: Node['attrs'],
  shape: Node['shape'],
  dtype: Node['dtype'],
): Node {
  return new Node(
    op,
    inputs,
    attrs,
    shape,
    dtype,
    structuralHash(op, inputs, attrs, { shape, dtype }),
    builtinOp(op)!,
  );
}

function expectGraphError(graph: Graph, message: RegExp): void {
  let thrown: unknown;
  try {
    verify(graph);
  } catch (error) {
    thrown = error;
  }
  expect(WeftError.isInstance(thrown) && thrown instanceof GraphError).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

describe('verify', () => {
  it('accepts graphs built through makeNode', () => {
    expect(() => verify({ outputs: { y: add(exp(x), x) } })).not.toThrow();
  });

  it('rejects a node whose stored type differs from re-inference', () => {
    const wrong = rawNode('unary', [x], { fn: 'exp' }, [3, 2], 'f32');
    expectGraphError(
      { outputs: { y: wrong } },
      /%1 unary.*stored type differs.*expected f32\[2, 3\], got f32\[3, 2\]/,
    );
  });

  it('rejects a stale hash, an unknown op, a wrong arity and a missing operand', () => {
    const stale = new Node('unary', [x], { fn: 'exp' }, [2, 3], 'f32', 'deadbeefdeadbeef', unaryOp);
    expectGraphError({ outputs: { y: stale } }, /stored hash differs/);
    expectGraphError(
      { outputs: { y: rawNode('no.such.op', [x], {}, [2, 3], 'f32') } },
      /unknown op "no.such.op"/,
    );
    expectGraphError(
      { outputs: { y: rawNode('unary', [x, x], { fn: 'exp' }, [2, 3], 'f32') } },
      /takes 1 operand/,
    );
    const missing = new Node(
      'unary',
      [undefined as unknown as Node],
      { fn: 'exp' },
      [2, 3],
      'f32',
      '0',
      unaryOp,
    );
    expectGraphError({ outputs: { y: missing } }, /operand 0 of a "unary" node does not exist/);
  });

  it('rejects a node that no longer passes its shape rule', () => {
    const y = input('y', [4]);
    expectGraphError(
      { outputs: { z: rawNode('binary', [x, y], { fn: 'add' }, [2, 3], 'f32') } },
      /no longer passes/,
    );
  });

  it('rejects a cycle without overflowing the stack', () => {
    const operands: Node[] = [x];
    const first = rawNode('unary', operands, { fn: 'exp' }, [2, 3], 'f32');
    const second = rawNode('unary', [first], { fn: 'exp' }, [2, 3], 'f32');
    operands[0] = second; // first now reads second, which reads first
    expectGraphError({ outputs: { y: second } }, /cycle/);
  });

  it('rejects two inputs with one name, and one symbolic dim with two maxima', () => {
    expectGraphError({ outputs: { y: add(x, input('x', [3])) } }, /two different input nodes share a name/);
    const short = input('a', [symbolicDim('seq', { max: 8 })]);
    const long = input('b', [symbolicDim('seq', { max: 16 })]);
    expectGraphError({ outputs: { p: short, q: long } }, /dim seq: a symbolic dim has two different maxima/);
  });

  it('rejects a graph without outputs or with a non-node output', () => {
    expectGraphError({ outputs: {} }, /at least one output/);
    expectGraphError({ outputs: { y: 3 as unknown as Node } }, /graph output is not a node/);
  });
});
