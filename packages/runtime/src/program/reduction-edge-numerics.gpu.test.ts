import { input, interpret, logsumexp, makeGraph } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { getTestDevice } from '../testing/index.js';
import { compile } from './compile.js';

describe('logsumexp at the edges on the GPU', () => {
  it('a row of −∞ gives −∞ (not NaN), a row with +∞ gives +∞, as the reference', async () => {
    const { device } = await getTestDevice();
    for (const length of [5, 300]) {
      const graph = makeGraph({ y: logsumexp(input('x', [4, length]), -1) });
      const x = new Float32Array(4 * length);
      x.fill(Number.NEGATIVE_INFINITY, 0, length); // row 0: all −∞
      for (let i = length; i < 2 * length; i++) x[i] = i % 2 === 0 ? Number.NEGATIVE_INFINITY : 1; // row 1: half −∞
      x[2 * length] = Number.POSITIVE_INFINITY; // row 2: one +∞
      for (let i = 3 * length; i < 4 * length; i++) x[i] = (i % 7) - 3; // row 3: ordinary
      const expected = interpret(graph, { inputs: { x } }).y!.data;
      const program = await compile(graph, { device });
      try {
        const actual = (await program.run({ x }, { poisonOutputs: true })).y!.data;
        expect(actual[0], `length ${length} row 0`).toBe(Number.NEGATIVE_INFINITY);
        expect(actual[2], `length ${length} row 2`).toBe(Number.POSITIVE_INFINITY);
        for (const row of [1, 3]) expect(actual[row]!).toBeCloseTo(expected[row]!, 5);
        expect(expected[0]).toBe(Number.NEGATIVE_INFINITY);
      } finally {
        program.destroy();
      }
    }
  });
});
