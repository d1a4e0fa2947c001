import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseSetTransformer } from '../../test/dense-set-transformer.js';
import { setTransformerCatalogEntry } from '../catalog/set-transformer-entry.js';
import {
  inducedSetAttentionBlock,
  multiheadAttentionBlock,
  poolingByMultiheadAttention,
  setAttentionBlock,
} from './set-transformer.js';

describe('Set Transformer blocks', () => {
  const x = input('x', [2, 10, 8]);

  it('keep the rows of X (MAB, SAB, ISAB) or pool them to the seeds (PMA)', () => {
    expect(multiheadAttentionBlock(x, input('y', [2, 3, 8]), { heads: 2, name: 'mab' }).shape).toEqual([
      2, 10, 8,
    ]);
    expect(setAttentionBlock(x, { heads: 2, name: 'sab' }).shape).toEqual([2, 10, 8]);
    expect(inducedSetAttentionBlock(x, 3, { heads: 2, name: 'isab' }).shape).toEqual([2, 10, 8]);
    expect(poolingByMultiheadAttention(x, 1, { heads: 2, name: 'pma' }).shape).toEqual([2, 1, 8]);
  });

  it('name the block and the offending size in their errors', () => {
    expect(() => setAttentionBlock(x, { heads: 3, name: 'enc.0' })).toThrow(/enc\.0.*heads/);
    expect(() => inducedSetAttentionBlock(x, 0, { heads: 2, name: 'enc.1' })).toThrow(/enc\.1\.inducing/);
    expect(() => setAttentionBlock(input('x', [10, 8]), { heads: 2, name: 'enc.2' })).toThrow(SpecError);
  });
});

describe('Set Transformer (catalog #55), float64', () => {
  it('the reference interpreter matches SAB, ISAB and PMA written with loops from the paper', () => {
    const { graph, inputs, params } = setTransformerCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const dense = denseSetTransformer({ ...inputs, ...params }, { batch: 2, set: 12, width: 16, heads: 4 });
    for (const name of ['sab', 'isab', 'pooled'])
      expect(relativeError(reference[name]!.data, dense[name]!), name).toBeLessThan(1e-12);
  });
});
