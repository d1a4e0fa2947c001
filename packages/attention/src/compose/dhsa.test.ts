import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseDhsa } from '../../test/dense-dhsa.js';
import { DHSA_SHAPE, dhsaCatalogEntry } from '../catalog/dhsa-entry.js';
import { dynamicHierarchicalSparseAttention } from './dhsa.js';

describe('dynamicHierarchicalSparseAttention (#30), float64', () => {
  it('the reference interpreter matches the formula written from the paper; chunks are kept whole', () => {
    const { graph, inputs } = dhsaCatalogEntry.build();
    const reference = interpret(graph, { inputs });
    const expected = denseDhsa(DHSA_SHAPE)(inputs);
    expect(relativeError(reference.output!.data, expected.output)).toBeLessThan(1e-12);
    expect(Array.from(reference.keep!.data)).toEqual(expected.keep);
    // Query 255 (the last chunk) keeps whole chunks: every key of a chunk or none.
    const { length } = DHSA_SHAPE;
    const row = expected.keep.slice(255 * length, 256 * length);
    const chunks = Array.from(inputs.chunks!);
    for (let c = 0; c < DHSA_SHAPE.chunkLengths.length; c++) {
      const kept = row.filter((_, j) => chunks[j] === c);
      expect(new Set(kept).size, `chunk ${c}`).toBe(1);
    }
    expect(row.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(DHSA_SHAPE.topK);
    expect(row.reduce((a, b) => a + b, 0)).toBeLessThan(length);
  }, 120_000);
});

describe('dynamicHierarchicalSparseAttention: bad input', () => {
  const q = input('q', [1, 2, 64, 8]);
  const chunkIds = input('chunks', [1, 64], 'i32');
  const options = { chunks: 4, topK: 16, name: 'layers.0.dhsa' };
  it('names the tensor or option at fault', () => {
    expect(() =>
      dynamicHierarchicalSparseAttention(
        { query: q, key: q, value: q, chunkIds: input('c', [1, 64]) },
        options,
      ),
    ).toThrow(/"layers.0.dhsa": chunkIds must be i32 \[1, 64\]/);
    const gqaKey = input('k', [1, 1, 64, 8]);
    expect(() =>
      dynamicHierarchicalSparseAttention({ query: q, key: gqaKey, value: gqaKey, chunkIds }, options),
    ).toThrow(/key must be/);
    expect(() =>
      dynamicHierarchicalSparseAttention({ query: q, key: q, value: q, chunkIds }, { ...options, topK: 0 }),
    ).toThrow(/option "topK"/);
    expect(() =>
      dynamicHierarchicalSparseAttention({ query: q, key: q, value: q, chunkIds }, {
        ...options,
        budget: 3,
      } as never),
    ).toThrow(SpecError);
  });
});
