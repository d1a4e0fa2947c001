import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseHeadEmbeddings, denseMixtureOfHeads } from '../../test/dense-head-structure.js';
import { headEmbeddingsCatalogEntry, mixtureOfHeadsCatalogEntry } from '../catalog/head-structure-entries.js';
import { multiHeadEmbeddingAttention } from './head-embeddings.js';
import { mixtureOfHeadsAttention } from './mixture-of-heads.js';

const sizes = { batch: 2, rows: 12, width: 16, heads: 4 };

describe('mixtureOfHeadsAttention (MAE, catalog #52)', () => {
  it('gives [batch, n, d] and a per-sequence gate over the heads', () => {
    const { output, gate } = mixtureOfHeadsAttention(input('x', [3, 10, 8]), { heads: 2 });
    expect(output.shape).toEqual([3, 10, 8]);
    expect(gate.shape).toEqual([3, 2]);
  });

  it('names the block and the heads in its errors', () => {
    expect(() => mixtureOfHeadsAttention(input('x', [3, 10, 8]), { heads: 1, name: 'l.0' })).toThrow(
      /l\.0.*heads/,
    );
    expect(() => mixtureOfHeadsAttention(input('x', [10, 8]), { heads: 2 })).toThrow(SpecError);
  });

  it('float64: the folded form matches Σ_i g_i f_i over the h experts of h − 1 heads, written with loops', () => {
    const { graph, inputs, params } = mixtureOfHeadsCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const dense = denseMixtureOfHeads({ ...inputs, ...params }, sizes);
    expect(relativeError(reference.gate!.data, dense.gate!)).toBeLessThan(1e-12);
    expect(relativeError(reference.output!.data, dense.output!)).toBeLessThan(1e-12);
  });
});

describe('multiHeadEmbeddingAttention (MHE, catalog #73)', () => {
  it('makes h heads from one shared projection', () => {
    const y = multiHeadEmbeddingAttention(input('x', [3, 10, 8]), { heads: 4, headDim: 6, mode: 'add' });
    expect(y.shape).toEqual([3, 10, 8]);
  });

  it('names the block and the mode in its errors', () => {
    const x = input('x', [3, 10, 8]);
    expect(() =>
      multiHeadEmbeddingAttention(x, { heads: 4, headDim: 6, mode: 'sub' as 'add', name: 'l.1' }),
    ).toThrow(/l\.1.*mode/);
    expect(() =>
      multiHeadEmbeddingAttention(input('x', [10, 8]), { heads: 4, headDim: 6, mode: 'mul' }),
    ).toThrow(SpecError);
  });

  it('float64: MHE-ADD and MHE-MUL match the paper formula written with loops', () => {
    const { graph, inputs, params } = headEmbeddingsCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const dense = denseHeadEmbeddings({ ...inputs, ...params }, { ...sizes, headDim: 8 });
    expect(relativeError(reference.add!.data, dense.add!)).toBeLessThan(1e-12);
    expect(relativeError(reference.mul!.data, dense.mul!)).toBeLessThan(1e-12);
  });
});
