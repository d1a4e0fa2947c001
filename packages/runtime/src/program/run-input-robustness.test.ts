import { exp, gather, InputError, input, makeGraph, param, symbolicDim, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { fakeDevice } from '../../test/fake-device.js';
import { compile } from './compile.js';

const graph = makeGraph({ y: exp(input('x', [2])) });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

const CONSTRUCTOR: string = 'constructor';
const PROTO: string = '__proto__';

describe('run rejects malformed inputs with InputErrors (CPU backend)', () => {
  it('run(null), run({ x: null }), BigInt64Array data', async () => {
    const program = await compile(graph, { device: 'cpu' });
    const cases: [unknown, RegExp][] = [
      [null, /inputs must be an object.*got null/],
      [42, /inputs must be an object.*got number/],
      [{ x: null }, /tensor "x".*typed array or an array of numbers.*got null/],
      [{ x: BigInt64Array.of(1n, 2n) }, /tensor "x".*BigInt.*got BigInt64Array/],
    ];
    for (const [inputs, pattern] of cases) {
      const error = await rejection(program.run(inputs as never));
      expect(error, String(inputs)).toBeInstanceOf(InputError);
      expect(error.message).toMatch(pattern);
    }
  });

  it('a graph with an input and an output named like prototype members runs', async () => {
    const outputs: Record<string, ReturnType<typeof exp>> = Object.create(null);
    outputs[PROTO] = exp(input('constructor', [2]));
    const program = await compile(makeGraph(outputs), { device: 'cpu' });
    await expect(program.run({})).rejects.toThrow(/missing input/);
    const inputs: Record<string, number[]> = Object.create(null);
    inputs[CONSTRUCTOR] = [0, 0];
    const result = await program.run(inputs);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(Array.from(result[PROTO]!.data)).toEqual([1, 1]);
  });

  it('a dim named __proto__ is bound by run options', async () => {
    const dim = symbolicDim('__proto__', { max: 4 });
    const program = await compile(makeGraph({ y: exp(input('x', [dim])) }), { device: 'cpu' });
    const dims: Record<string, number> = Object.create(null);
    dims[PROTO] = 3;
    const { y } = await program.run({ x: [0, 0, 0] }, { dims });
    expect(y!.shape).toEqual([3]);
  });

  it('a CPU program refuses to run or reset after destroy()', async () => {
    const program = await compile(graph, { device: 'cpu' });
    program.destroy();
    const error = await rejection(program.run({ x: [0, 0] }));
    expect(WeftError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/destroyed/);
    expect(() => program.resetState()).toThrow(/destroyed/);
  });
});

describe('a run in flight when the device is lost (fake device)', () => {
  it('rejects with a device-lost WeftError instead of an empty AbortError', async () => {
    const fake = fakeDevice();
    const program = await compile(makeGraph({ y: gather(param('t', [2, 2]), input('i', [1], 'i32')) }), {
      device: fake.device,
      params: { t: [1, 2, 3, 4] },
    });
    // The readback's mapAsync is aborted, as Dawn does when the device goes away mid-run.
    fake.abortMaps();
    const error = await rejection(program.run({ i: [1] }));
    expect(WeftError.isInstance(error)).toBe(true);
    expect((error as WeftError).code).toBe('device-lost');
    expect(error.message).toMatch(/aborted.*AbortError/);
  });
});
