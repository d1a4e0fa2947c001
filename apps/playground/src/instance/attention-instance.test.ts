import { interpret } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { maskTiles } from '../analysis/mask-tiles.js';
import { ATTENTION_LENGTH, attentionInstance } from './attention-instance.js';

describe('attentionInstance', () => {
  it('builds a weights graph whose output is softmax(q·kᵀ/√d) under the mask (dense float64 check)', () => {
    const instance = attentionInstance({ heads: 2, headDim: 8, mask: { kind: 'causal' } });
    const weights = instance.weights!;
    const output = interpret(weights.graph, weights).output!;
    const length = ATTENTION_LENGTH;
    expect(output.shape).toEqual([1, 2, length, length]);
    const q = weights.inputs.q as Float32Array;
    const k = weights.inputs.k as Float32Array;
    let worst = 0;
    for (const head of [0, 1]) {
      for (const query of [0, 5, 64, length - 1]) {
        // Causal softmax attention written out: scores of keys 0..query, scaled by 1/√8.
        const scores = Array.from({ length: query + 1 }, (_, key) => {
          let dot = 0;
          for (let d = 0; d < 8; d++)
            dot += q[(head * length + query) * 8 + d]! * k[(head * length + key) * 8 + d]!;
          return dot / Math.sqrt(8);
        });
        const top = Math.max(...scores);
        const total = scores.reduce((sum, score) => sum + Math.exp(score - top), 0);
        for (let key = 0; key < length; key++) {
          const expected = key <= query ? Math.exp(scores[key]! - top) / total : 0;
          const actual = output.data[(head * length + query) * length + key]!;
          worst = Math.max(worst, Math.abs(actual - expected));
        }
      }
    }
    // Both sides are float64 over the same f32 inputs: only rounding differences remain.
    expect(worst).toBeLessThan(1e-12);
  });

  it('binds the tensors a spec names, with seeded values for the parameters', () => {
    const instance = attentionInstance({
      heads: 4,
      headDim: 16,
      score: [{ kind: 'scale', value: { tensor: 'headScale', shape: [4] } }],
      mask: {
        kind: 'and',
        masks: [
          { kind: 'causal' },
          {
            kind: 'documentMask',
            segmentIds: { tensor: 'segments', shape: [1, 128], dtype: 'i32' },
            sorted: true,
          },
        ],
      },
    });
    expect(instance.params.headScale).toHaveLength(4);
    expect(Array.from(instance.inputs.segments as Int32Array).slice(30, 34)).toEqual([0, 0, 1, 1]);
    const reference = interpret(instance.graph, instance).output!;
    expect(reference.data.every(Number.isFinite)).toBe(true);
  });

  it('classifies the tiles of causal ∧ sliding window from the mask block rule', () => {
    const instance = attentionInstance({
      heads: 1,
      headDim: 8,
      mask: { kind: 'and', masks: [{ kind: 'causal' }, { kind: 'slidingWindow', window: 16 }] },
    });
    const { tiles } = maskTiles(instance.mask!.mask, 128, 128);
    // Window 16 in 16-wide tiles: the diagonal tile and the one left of it are partial, all else empty.
    expect(tiles[5]).toEqual(['empty', 'empty', 'empty', 'empty', 'partial', 'partial', 'empty', 'empty']);
    expect(tiles.flat().filter((tile) => tile === 'full')).toHaveLength(0);
  });

  it('reports a builder check with a SpecError naming the field', () => {
    expect(() => attentionInstance({ heads: 4, kvHeads: 3, headDim: 16 })).toThrow(/kvHeads/);
  });
});
