import { input, interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseExactAttention, denseHyperAttention } from '../../test/dense-hyper-attention.js';
import {
  HYPER_ATTENTION_CAUSAL_SHAPE,
  HYPER_ATTENTION_SHAPE,
  hyperAttentionCatalogEntry,
  hyperAttentionCausalCatalogEntry,
} from '../catalog/hyper-attention-entry.js';
import { hyperAttention } from './hyper-attention.js';
import { grayCodeOrder } from './sort-lsh.js';

describe('hyperAttention (#18)', () => {
  it('perm is the Gray-code order: neighbours differ in one bit', () => {
    expect(grayCodeOrder(2)).toEqual([0, 1, 3, 2]);
    const order = grayCodeOrder(4);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (let i = 1; i < order.length; i++) {
      const flipped = order[i]! ^ order[i - 1]!;
      expect(flipped & (flipped - 1)).toBe(0);
    }
  });

  it('sorts, attends in blocks, samples and merges as the paper (float64 interpreter)', () => {
    const instance = hyperAttentionCatalogEntry.build();
    const result = interpret(instance.graph, { inputs: instance.inputs });
    const { outputs, margin } = denseHyperAttention(HYPER_ATTENTION_SHAPE)(instance.inputs);
    // No projection x·P is near 0, so f32 and float64 hash alike.
    expect(margin).toBeGreaterThan(1e-4);
    expect(Array.from(result.queryOrder!.data)).toEqual(Array.from(outputs.queryOrder!));
    expect(Array.from(result.keyOrder!.data)).toEqual(Array.from(outputs.keyOrder!));
    // The sort is not the identity: the blocks mix positions.
    expect(Array.from(outputs.queryOrder!).some((i, p) => i !== p % HYPER_ATTENTION_SHAPE.length)).toBe(true);
    expect(relativeError(result.output!.data, outputs.output!)).toBeLessThan(1e-12);
    expect(relativeError(result.logSumExp!.data, outputs.logSumExp!)).toBeLessThan(1e-12);
    // An approximation of exact attention, not exact attention.
    const exact = denseExactAttention(HYPER_ATTENTION_SHAPE, instance.inputs);
    const approximation = relativeError(outputs.output!, exact);
    console.log('hyper-attention vs exact attention (float64)', approximation);
    expect(approximation).toBeGreaterThan(1e-3);
  });

  it('names the operand or option that does not fit', () => {
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 2, 128, 16])) as [
      ReturnType<typeof input>,
      ReturnType<typeof input>,
      ReturnType<typeof input>,
    ];
    const projections = input('p', [16, 3]);
    const samples = input('s', [1, 2, 32], 'i32');
    const build = (extra: object) => () =>
      hyperAttention({ query, key, value }, { blockSize: 32, projections, samples, ...extra });
    expect(build({ blockSize: 48 })).toThrow(/key does not fit/);
    expect(build({ projections: input('p', [8, 3]) })).toThrow(/projections does not fit/);
    expect(build({ samples: input('s', [1, 2, 32]) })).toThrow(/samples does not fit/);
    expect(build({ window: 3 })).toThrow(/unknown option "window"/);
  });
});

describe('hyperAttention, causal (#18)', () => {
  it('recurses over halves, merges the bottom-left quadrant and ends in exact causal attention (float64 interpreter)', () => {
    const instance = hyperAttentionCausalCatalogEntry.build();
    const result = interpret(instance.graph, { inputs: instance.inputs });
    const { outputs, margin } = denseHyperAttention(HYPER_ATTENTION_CAUSAL_SHAPE, true)(instance.inputs);
    expect(margin).toBeGreaterThan(1e-4);
    expect(relativeError(result.output!.data, outputs.output!)).toBeLessThan(1e-12);
    expect(relativeError(result.logSumExp!.data, outputs.logSumExp!)).toBeLessThan(1e-12);
    // The first minSeqLen rows are exact causal attention; later rows are approximated.
    const exact = denseExactAttention(HYPER_ATTENTION_CAUSAL_SHAPE, instance.inputs, true);
    const { length, headDim, minSeqLen } = HYPER_ATTENTION_CAUSAL_SHAPE;
    const head0 = (data: ArrayLike<number>, from: number, to: number) =>
      Array.from(data).slice(from * headDim, to * headDim);
    expect(relativeError(head0(outputs.output!, 0, minSeqLen), head0(exact, 0, minSeqLen))).toBeLessThan(
      1e-12,
    );
    expect(
      relativeError(head0(outputs.output!, length / 2, length), head0(exact, length / 2, length)),
    ).toBeGreaterThan(1e-3);
  });

  it('names a missing minSeqLen and samples of the wrong level shape', () => {
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 2, 128, 16])) as [
      ReturnType<typeof input>,
      ReturnType<typeof input>,
      ReturnType<typeof input>,
    ];
    const projections = input('p', [16, 3]);
    const level0 = input('s0', [1, 2, 16], 'i32');
    const build = (extra: object) => () =>
      hyperAttention(
        { query, key, value },
        { blockSize: 16, projections, samples: [level0], causal: true, ...extra },
      );
    expect(build({})).toThrow(/minSeqLen does not fit/);
    expect(build({ minSeqLen: 32 })).toThrow(/samples\[1\] does not fit/);
    expect(build({ minSeqLen: 32, samples: [level0, level0] })).toThrow(/samples\[1\] does not fit/);
  });
});
