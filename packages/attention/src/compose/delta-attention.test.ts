import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseDeltaAttention } from '../../test/dense-delta-attention.js';
import { DELTA_ATTENTION_SHAPE, deltaAttentionCatalogEntry } from '../catalog/delta-attention-entry.js';
import { deltaAttention } from './delta-attention.js';

describe('deltaAttention (#65), float64', () => {
  it('matches the formula written from the paper; the first query of each block gets dense attention', () => {
    const { graph, inputs } = deltaAttentionCatalogEntry.build();
    const reference = interpret(graph, { inputs });
    const expected = denseDeltaAttention(DELTA_ATTENTION_SHAPE)(inputs);
    expect(relativeError(reference.output!.data, expected.output)).toBeLessThan(1e-12);
    // A window of N keeps every causal key: its "sparse" output is dense causal attention.
    const { heads, length, dim, gamma } = DELTA_ATTENTION_SHAPE;
    const full = denseDeltaAttention({ ...DELTA_ATTENTION_SHAPE, window: length })(inputs).sparse;
    const rows = (data: ArrayLike<number>, pick: (i: number) => boolean) =>
      Array.from({ length: heads * length }, (_, row) => row)
        .filter((row) => pick(row % length))
        .flatMap((row) => Array.from({ length: dim }, (_, e) => Number(data[row * dim + e])));
    const representative = (i: number) => i % gamma === 0;
    expect(
      relativeError(rows(reference.output!.data, representative), rows(full, representative)),
    ).toBeLessThan(1e-12);
    // The correction matters elsewhere: the other queries are neither sparse nor dense attention.
    const others = (i: number) => i % gamma !== 0 && i >= 64;
    expect(relativeError(rows(reference.output!.data, others), rows(full, others))).toBeGreaterThan(1e-3);
    expect(relativeError(reference.output!.data, reference.sparse!.data)).toBeGreaterThan(1e-3);
  }, 60_000);
});

describe('deltaAttention: bad input', () => {
  const q = input('q', [1, 2, 32, 8]);
  const options = { gamma: 8, window: 8, sink: 2, name: 'layers.1.delta' };
  it('names the option or tensor at fault', () => {
    expect(() => deltaAttention({ query: q, key: q, value: q }, { ...options, gamma: 5 })).toThrow(
      /"layers.1.delta": option "gamma" must divide/,
    );
    expect(() => deltaAttention({ query: q, key: q, value: q }, { ...options, window: 0 })).toThrow(
      /option "window"/,
    );
    const shortKey = input('k', [1, 2, 16, 8]);
    expect(() => deltaAttention({ query: q, key: shortKey, value: shortKey }, options)).toThrow(/key/);
    expect(() => deltaAttention({ query: q, key: q, value: q }, { ...options, lambda: 3 } as never)).toThrow(
      SpecError,
    );
  });
});
