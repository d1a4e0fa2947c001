import { describe, expect, it } from 'vitest';
import { GraphError, InputError, SpecError, WeftError } from '../errors.js';
import {
  add,
  exp,
  graphFromJSON,
  input,
  interpret,
  makeGraph,
  runPipeline,
  symbolicDim,
  tensor64,
} from '../index.js';

const CONSTRUCTOR: string = 'constructor';
const PROTO: string = '__proto__';

describe('graph building and loading refuse bad values with WeftErrors', () => {
  it('makeGraph({ y: 42 }) is a GraphError naming the output', () => {
    expect(() => makeGraph({ y: 42 } as never)).toThrow(GraphError);
    expect(() => makeGraph({ y: 42 } as never)).toThrow(/tensor "y".*got 42/);
    expect(() => makeGraph(null as never)).toThrow(GraphError);
  });

  it('graphFromJSON with attributes nested 3,000 deep is a SpecError, not a stack overflow', () => {
    // Built as text: JSON.stringify itself would overflow on these.
    const arrays = `${'['.repeat(3000)}1${']'.repeat(3000)}`;
    const records = `${'{"$record":{"a":'.repeat(3000)}1${'}}'.repeat(3000)}`;
    for (const extra of [arrays, records]) {
      const doc = `{"schemaVersion":1,"exprs":[],"nodes":[{"op":"input","inputs":[],"attrs":{"name":"x","shape":[4],"dtype":"f32","extra":${extra}}}],"outputs":{"y":0}}`;
      let caught: unknown;
      try {
        graphFromJSON(doc);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SpecError);
      expect((caught as Error).message).toMatch(/nested at most 64 deep/);
    }
  });

  it('an output named __proto__ or constructor survives the pipeline and the interpreter', () => {
    const x = input('x', [2]);
    const outputs: Record<string, ReturnType<typeof exp>> = Object.create(null);
    outputs[PROTO] = exp(x);
    outputs[CONSTRUCTOR] = add(x, 1);
    const graph = makeGraph(outputs);
    expect(Object.keys(graph.outputs)).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(runPipeline(graph, { fuse: true }).graph.outputs)).toEqual([
      '__proto__',
      'constructor',
    ]);
    const result = interpret(graph, { inputs: { x: tensor64([2], [0, 1]) } });
    expect(Array.from(result[PROTO]!.data)).toEqual([1, Math.E]);
    expect(Array.from(result[CONSTRUCTOR]!.data)).toEqual([1, 2]);
  });

  it('a dim named __proto__ or constructor can be bound; a missing one is reported', () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const dim = symbolicDim(name, { max: 4 });
      const graph = makeGraph({ y: exp(input('x', [dim])) });
      const dims: Record<string, number> = Object.create(null);
      dims[name] = 2;
      const { y } = interpret(graph, { inputs: { x: [0, 0] }, dims });
      expect(y!.shape).toEqual([2]);
      expect(() => interpret(graph, { inputs: { x: [0, 0] }, dims: {} })).toThrow(/not bound/);
    }
  });

  it('a missing input named like a prototype member is reported missing', () => {
    const graph = makeGraph({ y: exp(input('constructor', [2])) });
    expect(() => interpret(graph, { inputs: {} })).toThrow(InputError);
  });

  it('error messages print NaN, Infinity and BigInt values as JavaScript does', () => {
    const error = new WeftError('x', 'bad', { expected: [1, Number.POSITIVE_INFINITY], actual: Number.NaN });
    expect(error.message).toBe('bad (expected [1,Infinity], got NaN)');
    expect(new WeftError('x', 'bad', { actual: { limit: -Infinity, big: 5n } }).message).toBe(
      'bad (got {"limit":-Infinity,"big":5})',
    );
  });
});
