import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseNag } from '../../test/dense-nag.js';
import { NAG_SHAPE, nagCatalogEntry } from '../catalog/nag-entry.js';
import { normalizedAttentionGuidance } from './normalized-attention-guidance.js';

describe('normalizedAttentionGuidance (#35), float64', () => {
  it('the reference interpreter matches the formula written from the paper; α = 0 gives Z⁺', () => {
    const { graph, inputs } = nagCatalogEntry.build();
    const reference = interpret(graph, { inputs });
    const expected = denseNag(NAG_SHAPE)(inputs).outputs;
    expect(relativeError(reference.output!.data, expected.output)).toBeLessThan(1e-12);
    const unguided = denseNag({ ...NAG_SHAPE, alpha: 0 })(inputs).outputs;
    expect(relativeError(unguided.output, expected.positive)).toBeLessThan(1e-15);
    expect(relativeError(reference.output!.data, unguided.output)).toBeGreaterThan(1e-2);
  });
});

describe('normalizedAttentionGuidance: bad input', () => {
  const query = input('q', [1, 2, 8, 4]);
  const branch = (keys: number, dim = 4) => ({
    key: input(`k${keys}`, [1, 2, keys, dim]),
    value: input(`v${keys}`, [1, 2, keys, dim]),
  });
  const options = { scale: 2, tau: 2.5, alpha: 0.25, name: 'blocks.3.nag' };

  it('names the option out of range', () => {
    const build = (changed: object) =>
      normalizedAttentionGuidance(
        { query, positive: branch(5), negative: branch(3) },
        { ...options, ...changed },
      );
    expect(() => build({ scale: 0.5 })).toThrow(/option "scale"/);
    expect(() => build({ tau: 0 })).toThrow(/option "tau"/);
    expect(() => build({ alpha: 1.5 })).toThrow(/option "alpha"/);
    expect(() => build({ gamma: 1 })).toThrow(SpecError);
  });

  it('names the branch tensor whose shape differs', () => {
    const wrongDim = { key: input('k', [1, 2, 3, 8]), value: input('v', [1, 2, 3, 4]) };
    expect(() =>
      normalizedAttentionGuidance({ query, positive: branch(5), negative: wrongDim }, options),
    ).toThrow(/"blocks.3.nag": negative.key/);
    const wrongValues = { key: input('k', [1, 2, 3, 4]), value: input('v', [1, 2, 4, 4]) };
    expect(() =>
      normalizedAttentionGuidance({ query, positive: wrongValues, negative: branch(3) }, options),
    ).toThrow(/positive.value/);
  });
});
