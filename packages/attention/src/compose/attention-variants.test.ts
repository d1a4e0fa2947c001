import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  denseDualAttention,
  densePayBetterAttention,
  denseSkimAttention,
} from '../../test/dense-attention-variants.js';
import {
  dualAttentionCatalogEntry,
  payBetterAttentionCatalogEntry,
  skimAttentionCatalogEntry,
} from '../catalog/attention-variant-entries.js';
import { dualAttention } from './dual-attention.js';
import { payBetterAttention } from './pay-better-attention.js';
import { skimAttentionLayer, skimLayout } from './skim-attention.js';

describe('payBetterAttention (catalog #13)', () => {
  it('keeps [batch, ℓ, d] and names the block in its errors', () => {
    const x = input('x', [2, 6, 8]);
    expect(payBetterAttention(x, { kind: 'efficient', heads: 2 }).shape).toEqual([2, 6, 8]);
    expect(() => payBetterAttention(x, { kind: 'super', heads: 3, name: 'l.0' })).toThrow(/l\.0.*heads/);
    expect(() => payBetterAttention(x, { kind: 'other' as 'super', heads: 2 })).toThrow(SpecError);
  });

  it('float64: Optimised, Efficient, Super and causal Super match the paper written with loops', () => {
    const { graph, inputs, params } = payBetterAttentionCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const dense = densePayBetterAttention({ ...inputs, ...params });
    for (const name of ['optimised', 'efficient', 'super', 'superCausal'])
      expect(relativeError(reference[name]!.data, dense[name]!), name).toBeLessThan(1e-12);
  });
});

describe('Skim-Attention (catalog #62)', () => {
  it('keeps [batch, n, d] and names the block in its errors', () => {
    const layout = skimLayout(input('layout', [2, 6, 8]), { heads: 2, name: 'skim' });
    expect(skimAttentionLayer(input('h', [2, 6, 12]), layout, { name: 'l.0' }).shape).toEqual([2, 6, 12]);
    expect(() => skimLayout(input('layout', [2, 6, 8]), { heads: 3, name: 'skim' })).toThrow(/skim.*heads/);
    expect(() => skimAttentionLayer(input('h', [6, 12]), layout, { name: 'l.1' })).toThrow(/l\.1/);
  });

  it('float64: two layers recomputing the layout map match one materialized map reused', () => {
    const { graph, inputs, params } = skimAttentionCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const dense = denseSkimAttention({ ...inputs, ...params });
    expect(relativeError(reference.layer0!.data, dense.layer0!)).toBeLessThan(1e-12);
    expect(relativeError(reference.layer1!.data, dense.layer1!)).toBeLessThan(1e-12);
  });
});

describe('dualAttention (catalog #36)', () => {
  it('keeps [batch, n, d] and names the block in its errors', () => {
    const x = input('x', [2, 6, 8]);
    const sizes = { selfHeads: 1, relationalHeads: 1, relations: 3, relationDim: 2 };
    expect(dualAttention(x, sizes).shape).toEqual([2, 6, 8]);
    expect(dualAttention(x, { ...sizes, selfHeads: 0 }).shape).toEqual([2, 6, 8]);
    expect(() => dualAttention(x, { ...sizes, selfHeads: 2, name: 'l.3' })).toThrow(/l\.3.*dividing/);
    expect(() => dualAttention(x, { ...sizes, relations: 0 })).toThrow(SpecError);
  });

  it('float64: the fused identity matches relations formed per pair, written with loops', () => {
    const { graph, inputs, params } = dualAttentionCatalogEntry.build();
    const reference = interpret(graph, { inputs, params }).output!.data;
    expect(relativeError(reference, denseDualAttention({ ...inputs, ...params }))).toBeLessThan(1e-12);
  });
});
