import { gather, InputError, input, makeGraph, param, symbolicDim, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { checkIndexValues, graphSignature } from './graph-signature.js';

const seq = symbolicDim('seq', { max: 4 });
const ids = input('ids', [seq], 'i32');
const graph = makeGraph({ y: gather(param('table', [4, 2]), ids) });
const table = [0, 1, 2, 3, 4, 5, 6, 7];

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('index inputs are range-checked on the host before a run', () => {
  it('the CPU backend names the input, the element, the value and the bound', async () => {
    const program = await compile(graph, { device: 'cpu', params: { table } });
    const error = await rejection(program.run({ ids: [1, 100] }, { dims: { seq: 2 } }));
    expect(WeftError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/tensor "ids".*element 1.*0\.\.3.*got 100/);
    const negative = await rejection(program.run({ ids: [-1] }, { dims: { seq: 1 } }));
    expect(negative.message).toMatch(/tensor "ids".*got -1/);
    const { y } = await program.run({ ids: [3, 0] }, { dims: { seq: 2 } });
    expect(Array.from(y!.data)).toEqual([6, 7, 0, 1]);
  });

  it('the signature finds gather indices through reshapes, with the indexed axis', () => {
    const signature = graphSignature(graph);
    expect(signature.indexBounds.get('ids')?.[0]?.size).toBe(4);
    expect(() => checkIndexValues(signature, 'ids', Int32Array.of(0, 1e9), { seq: 2 })).toThrow(
      /tensor "ids".*got 1000000000/,
    );
    expect(() => checkIndexValues(signature, 'ids', Int32Array.of(0, 3), { seq: 2 })).not.toThrow();
  });
});
