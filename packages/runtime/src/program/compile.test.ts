import { add, input, makeGraph, matmul, param, symbolicDim, WeftError } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';

const seq = symbolicDim('seq', { max: 8 });
const x = input('x', [seq, 3]);
const w = param('w', [3, 2]);
const graph = makeGraph({ y: add(matmul(x, w), 1) });
const weights = randomTensor([3, 2], { seed: 7 }).data;

async function expectWeftError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(WeftError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('compile on the CPU backend (the embedded default)', () => {
  it('runs the same Program API on the reference interpreter, rounded to f32', async () => {
    const program = await compile(graph, { device: 'cpu', params: { w: weights } });
    expect(program.backend).toBe('cpu');
    const data = [1, 2, 3, 4, 5, 6];
    const { y } = await program.run({ x: data }, { dims: { seq: 2 } });
    expect(y!.shape).toEqual([2, 2]);
    expect(y!.data).toBeInstanceOf(Float32Array);
    const expected = [0, 1].flatMap((row) =>
      [0, 1].map((col) =>
        Math.fround(1 + [0, 1, 2].reduce((acc, k) => acc + data[row * 3 + k]! * weights[k * 2 + col]!, 0)),
      ),
    );
    expect(Array.from(y!.data)).toEqual(expected);
  });

  it('rejects bad inputs before any work, naming the tensor or dim', async () => {
    const program = await compile(graph, { device: 'cpu', params: { w: weights } });
    await expectWeftError(program.run({ x: [1, 2, 3] }, {}), /dim seq: symbolic dim is not bound/);
    await expectWeftError(
      program.run({ x: [1, 2, 3] }, { dims: { seq: 9 } }),
      /dim seq: symbolic dim bound out of range/,
    );
    await expectWeftError(
      program.run({ x: [1, 2] }, { dims: { seq: 1 } }),
      /tensor "x": wrong number of elements \(expected 3, got 2\)/,
    );
    await expectWeftError(program.run({}, { dims: { seq: 1 } }), /tensor "x": missing input/);
    await expectWeftError(
      program.run({ x: [1, 2, 3], z: [1] }, { dims: { seq: 1 } }),
      /tensor "z": unknown input/,
    );
    await expectWeftError(
      program.run({ x: [1, 2, 3] }, { dims: { seq: 1, len: 2 } }),
      /dim len: unknown symbolic dim/,
    );
    // The program stays usable after rejected runs.
    const { y } = await program.run({ x: [1, 2, 3] }, { dims: { seq: 1 } });
    expect(y!.shape).toEqual([1, 2]);
  });

  it('rejects missing, unknown and mis-sized parameters at compile time', async () => {
    await expectWeftError(compile(graph, { device: 'cpu' }), /tensor "w": missing parameter/);
    await expectWeftError(
      compile(graph, { device: 'cpu', params: { w: weights, v: [1] } }),
      /tensor "v": unknown parameter/,
    );
    await expectWeftError(
      compile(graph, { device: 'cpu', params: { w: [1, 2] } }),
      /tensor "w": wrong number of elements/,
    );
  });
});
