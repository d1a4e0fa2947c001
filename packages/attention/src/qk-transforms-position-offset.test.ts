import { input, interpret, makeGraph, type Tensor64, tensor64 } from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { attention, causal, hoistQkTransforms, qkNorm, rope } from './index.js';

describe('hoistQkTransforms with a positionOffset tensor', () => {
  it('rotates row i of Q and K at position offset + i: the rows of a longer sequence at those positions', () => {
    const spec = attention({
      heads: 2,
      headDim: 8,
      positions: rope(),
      qkNorm: qkNorm(),
      mask: causal(),
      name: 'a',
    });
    const total = 11;
    const past = 7;
    const fresh = total - past;
    const full = randomTensor([1, 2, total, 8], { seed: 3 });
    const tail = tensor64([1, 2, fresh, 8], sliceRows(full, past, total));
    const gamma = randomTensor([8], { seed: 4, min: 0.5, max: 1.5 });
    const params = { 'a.qNorm.gamma': gamma, 'a.kNorm.gamma': gamma };
    // Reference: the default placement rotates key row k at position k, over the whole sequence.
    const whole = input('x', [1, 2, total, 8]);
    const reference = hoistQkTransforms(spec, { query: whole, key: whole, value: whole });
    const expected = interpret(makeGraph({ key: reference.inputs.key }), { inputs: { x: full }, params })
      .key!;
    // With the offset: only the last rows, their positions read from a `[1]` i32 tensor.
    const rows = input('x', [1, 2, fresh, 8]);
    const offset = input('past', [1], 'i32');
    const hoisted = hoistQkTransforms(
      spec,
      { query: rows, key: rows, value: rows },
      { positionOffset: offset },
    );
    const { query, key } = interpret(makeGraph({ query: hoisted.inputs.query, key: hoisted.inputs.key }), {
      inputs: { x: tail, past: tensor64([1], [past], 'i32') },
      params,
    });
    const wanted = tensor64([1, 2, fresh, 8], sliceRows(expected, past, total));
    expectClose(key!, wanted, { rtol: 1e-12, atol: 1e-12 });
    // The query is rotated at the same absolute positions (not bottom-right against the keys).
    expectClose(query!, wanted, { rtol: 1e-12, atol: 1e-12 });
    expect(hoisted.spec.positions.name).toBe('nope');
    expect(hoisted.spec.qkNorm).toBeUndefined();
  });
});

/** Rows `from..to` of every head of a `[1, H, N, d]` tensor, flattened. */
function sliceRows(tensor: Tensor64, from: number, to: number): number[] {
  const [, heads, rows, dim] = tensor.shape as [number, number, number, number];
  const values: number[] = [];
  for (let h = 0; h < heads; h++)
    for (let r = from; r < to; r++)
      for (let d = 0; d < dim; d++) values.push(tensor.data[(h * rows + r) * dim + d]!);
  return values;
}
