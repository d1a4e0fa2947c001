import { input, interpret, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { denseLte, denseLteRouter } from '../test/dense-lte.js';
import { ATTENTION_CATALOG } from './catalog/attention-catalog.js';
import { LTE_SHAPE } from './catalog/lte-entry.js';
import { lteKeyLifetimes } from './masks/lte-key-lifetimes.js';

/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-10;
const { heads, headDim, length, window, sinks } = LTE_SHAPE;
const sizes = { heads, length, dim: headDim, window, sinks };

function normwise(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return difference / scale;
}

describe('learnable token eviction (#82)', () => {
  it('the catalog instance (reference interpreter) equals the dense float64 router and mask', () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'learnable-token-eviction')!;
    const instance = entry.build();
    const values = { ...instance.inputs, ...instance.params };
    const run = interpret(instance.graph, { inputs: instance.inputs, params: instance.params });
    const expected = denseLte(sizes)(values);
    const errors = {
      logits: normwise(run.logits!.data, expected.logits),
      output: normwise(run.output!.data, expected.output),
    };
    const kept = denseLteRouter(sizes, values)
      .flat()
      .filter((c) => c > 0).length;
    console.log(
      'LTE reference vs dense float64',
      errors,
      'keys kept by the router',
      kept,
      'of',
      heads * length,
    );
    expect(errors.logits).toBeLessThan(FLOAT64_TOLERANCE);
    expect(errors.output).toBeLessThan(FLOAT64_TOLERANCE);
    // The instance exercises both sides of the router's decision.
    expect(kept).toBeGreaterThan(heads * length * 0.1);
    expect(kept).toBeLessThan(heads * length * 0.9);
  }, 120_000);

  it('refuses router logits of the wrong rank or a negative window', () => {
    expect(() => lteKeyLifetimes(input('c', [1, heads]), { window })).toThrow(SpecError);
    expect(() => lteKeyLifetimes(input('c', [1, heads, length]), { window: -1 })).toThrow(SpecError);
  });
});
