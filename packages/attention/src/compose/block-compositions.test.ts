import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  denseLamaPooling,
  denseLayerStackAttention,
  denseLayerwiseShortcuts,
  denseSequenceFeedForward,
} from '../../test/dense-block-compositions.js';
import {
  lamaPoolingCatalogEntry,
  layerStackAttentionCatalogEntry,
  layerwiseShortcutsCatalogEntry,
  sequenceFeedForwardCatalogEntry,
} from '../catalog/block-composition-entries.js';
import { sequenceFeedForward } from './attention-free-ffn.js';
import { lamaPooling } from './lama-pooling.js';
import { layerStackAttention } from './layer-stack-attention.js';
import { layerwiseShortcutAttention } from './layerwise-shortcuts.js';

describe('sequenceFeedForward (catalog #32, ALR)', () => {
  it('maps [batch, L, d] to [batch, L, d] and names the block in its errors', () => {
    expect(sequenceFeedForward(input('x', [3, 5, 4]), { hidden: 7 }).shape).toEqual([3, 5, 4]);
    expect(() => sequenceFeedForward(input('x', [5, 4]), { hidden: 7, name: 'l.2.alr' })).toThrow(
      /l\.2\.alr/,
    );
    expect(() => sequenceFeedForward(input('x', [3, 5, 4]), { hidden: 0 })).toThrow(SpecError);
  });

  it('float64: matches reshape(W₂ ReLU(W₁ vec(X) + b₁) + b₂) written with loops', () => {
    const { graph, inputs, params } = sequenceFeedForwardCatalogEntry.build();
    const reference = interpret(graph, { inputs, params }).output!.data;
    expect(relativeError(reference, denseSequenceFeedForward({ ...inputs, ...params }, 2))).toBeLessThan(
      1e-12,
    );
  });
});

describe('layerwiseShortcutAttention (catalog #37)', () => {
  const x = input('x', [2, 6, 8]);

  it('attends from x to the concatenated taps and names taps in its errors', () => {
    expect(layerwiseShortcutAttention(x, [x, x, x], { heads: 2 }).shape).toEqual([2, 6, 8]);
    expect(() => layerwiseShortcutAttention(x, [], { heads: 2, name: 'last' })).toThrow(/last.*tap/);
    expect(() => layerwiseShortcutAttention(x, [input('t', [2, 5, 8])], { heads: 2 })).toThrow(/taps\[0\]/);
  });

  it('float64: matches the masked cross-attention to [f_0(h0); f_1(h1)] written with loops', () => {
    const { graph, inputs, params } = layerwiseShortcutsCatalogEntry.build();
    const reference = interpret(graph, { inputs, params }).output!.data;
    const dense = denseLayerwiseShortcuts(
      { ...inputs, ...params },
      { batch: 2, rows: 12, width: 16, heads: 4, taps: 2 },
    );
    expect(relativeError(reference, dense)).toBeLessThan(1e-12);
  });
});

describe('lamaPooling (catalog #58)', () => {
  it('pools [batch, n, d] into [batch, K, d] and names the block in its errors', () => {
    expect(lamaPooling(input('h', [3, 7, 8]), { heads: 5 }).shape).toEqual([3, 5, 8]);
    expect(() => lamaPooling(input('h', [7, 8]), { heads: 5, name: 'pool' })).toThrow(/pool.*h must/);
    expect(() => lamaPooling(input('h', [3, 7, 8]), { heads: 0 })).toThrow(SpecError);
  });

  it('float64: matches softmax_t(tanh((p_kᵀc)(q_kᵀh_t)[/‖c‖‖h_t‖])) H written with loops', () => {
    const { graph, inputs, params } = lamaPoolingCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const values = { ...inputs, ...params };
    const sizes = { batch: 2, rows: 12, width: 16, heads: 4 };
    const paper = denseLamaPooling(values, 'lama', { ...sizes, normalize: true });
    const port = denseLamaPooling(values, 'lamaPort', { ...sizes, normalize: false });
    expect(relativeError(reference.paper!.data, paper)).toBeLessThan(1e-12);
    expect(relativeError(reference.port!.data, port)).toBeLessThan(1e-12);
  });
});

describe('layerStackAttention (catalog #98, architecture 2)', () => {
  it('keeps [batch, n, d] and names the block in its errors', () => {
    const x = input('x', [2, 6, 8]);
    expect(layerStackAttention(x, [x, x]).shape).toEqual([2, 6, 8]);
    expect(() => layerStackAttention(x, [], { name: 'l.4' })).toThrow(/l\.4.*earlier/);
    expect(() => layerStackAttention(x, [input('h', [2, 5, 8])])).toThrow(/earlier\[0\]/);
  });

  it('float64: matches the per-token softmax over earlier layers written with loops', () => {
    const { graph, inputs, params } = layerStackAttentionCatalogEntry.build();
    const reference = interpret(graph, { inputs, params }).output!.data;
    const dense = denseLayerStackAttention(
      { ...inputs, ...params },
      { batch: 2, rows: 12, width: 16, depth: 3 },
    );
    expect(relativeError(reference, dense)).toBeLessThan(1e-12);
  });
});
