import { input, interpret, makeGraph } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, type QkNormOptions, qkNorm } from './index.js';

// QK norm's decomposition (the unfused baseline, the f32 yardstick, and the hoisted path that
// normalizes Q and K before the kernel) uses @weft/norms' statistics steps: rows near 1e20 are
// scaled before squaring, so f32 does not overflow x² to ∞ and return zeros.
const SHAPE = [1, 2, 6, 8] as const;

function worstF32Error(kind: QkNormOptions['kind'], magnitude: number): number {
  const spec = attention({ heads: 2, kvHeads: 2, headDim: 8, qkNorm: qkNorm({ kind, scale: 'none' }) });
  const graph = makeGraph({
    out: applyAttention(spec, {
      query: input('q', [...SHAPE]),
      key: input('k', [...SHAPE]),
      value: input('v', [...SHAPE]),
    }).output,
  });
  const scaled = (seed: number) => {
    const tensor = randomTensor([...SHAPE], { seed });
    return { ...tensor, data: tensor.data.map((value) => value * magnitude) };
  };
  const inputs = { q: scaled(1), k: scaled(2), v: randomTensor([...SHAPE], { seed: 3 }) };
  const exact = interpret(graph, { inputs }).out!.data;
  const single = interpret(graph, { inputs, precision: 'f32' }).out!.data;
  let worst = 0;
  let scale = 0;
  exact.forEach((value, index) => {
    worst = Math.max(worst, Math.abs(single[index]! - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return worst / scale;
}

describe('QK norm of rows near 1e20 in f32 (decomposition from @weft/norms)', () => {
  for (const kind of ['rms', 'layer', 'l2'] as const) {
    it(`${kind}: within 1e-5 of float64 at magnitudes 1 and 1e20`, () => {
      expect(worstF32Error(kind, 1)).toBeLessThan(1e-5);
      expect(worstF32Error(kind, 1e20)).toBeLessThan(1e-5);
    });
  }
});
