import { input, makeGraph, mapElements, param, variable } from '@weft/ir';
import { expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

// A kernel binds only the tensors its body reads (an operand no element reads is left out of its
// bindings); the program binds the tensors the kernel declares, and its inputs still upload.
it('a map whose body reads only its output index runs (its unread operand left unbound)', async () => {
  const x = input('x', [8]);
  const graph = makeGraph({ y: mapElements([x], variable('i0', 'i32').cast('f32').mul(0.5)) });
  const program = await compile(graph, { device: await getTestDevice() });
  const { y } = await program.run({ x: new Float32Array(8).fill(3) });
  expect(Array.from(y!.data)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
  program.destroy();
});

it('a fused kernel that reads one of two operands runs, and the read one still counts', async () => {
  const x = input('x', [6]);
  const w = param('w', [6]);
  const graph = makeGraph({
    y: mapElements([x, w], variable('$1', 'f32').add(variable('i0', 'i32').cast('f32'))),
  });
  const weights = Float32Array.from([0.25, -1, 2, 7, -3.5, 1e-3]);
  const program = await compile(graph, { device: await getTestDevice(), params: { w: weights } });
  const { y } = await program.run({ x: Float32Array.from([9, 9, 9, 9, 9, 9]) });
  expect(Array.from(y!.data)).toEqual(Array.from(weights, (value, i) => Math.fround(value + i)));
  program.destroy();
});
