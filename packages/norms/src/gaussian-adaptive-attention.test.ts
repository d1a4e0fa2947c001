import { input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { gaussianAdaptiveAttention } from './gaussian-adaptive-attention.js';
import { referenceGaam } from './test-support/reference-gaam.js';

/** Both float64: the log-space layer vs the linear-space formula differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('gaussianAdaptiveAttention', () => {
  it.each([
    ['last axis, 4 heads × 3 Gaussians', [3, 5, 24], -1, 4, 3],
    ['middle axis, 2 heads × 2 Gaussians', [2, 12, 7], 1, 2, 2],
  ] as const)('matches the linear-space formula in float64 (%s)', (_, shape, axis, heads, gaussians) => {
    const x = randomTensor(shape, { seed: 1, min: -2, max: 2 });
    const offsets = randomTensor([heads, gaussians], { seed: 2, min: -0.5, max: 0.5 });
    const scales = randomTensor([heads, gaussians], { seed: 3, min: 0.5, max: 1.5 });
    const y = gaussianAdaptiveAttention(input('x', shape), { axis, heads, gaussians });
    const outputs = interpret(makeGraph({ y }), {
      inputs: { x },
      params: { 'gaam.meanOffsets': offsets, 'gaam.scales': scales },
    });
    const expected = referenceGaam(x.data, [...shape], axis, heads, offsets.data, scales.data, 1e-8);
    expect(relativeError(outputs.y!.data, expected)).toBeLessThan(FLOAT64_TOLERANCE);
  });

  it('with ε = 0 stays finite where the linear-space product of Gaussians underflows to 0/0', () => {
    const shape = [2, 32];
    const x = randomTensor(shape, { seed: 4, min: -3, max: 3 });
    const offsets = Float64Array.of(0.1, -0.1, 0.2, 0);
    const scales = Float64Array.of(0.01, 0.012, 0.01, 0.015);
    const y = gaussianAdaptiveAttention(input('x', shape), { gaussians: 4, eps: 0 });
    const outputs = interpret(makeGraph({ y }), {
      inputs: { x },
      params: { 'gaam.meanOffsets': offsets, 'gaam.scales': scales },
    });
    const linear = referenceGaam(x.data, shape, -1, 1, offsets, scales, 0);
    expect(linear.some(Number.isNaN)).toBe(true);
    expect(outputs.y!.data.every(Number.isFinite)).toBe(true);
    // Without the ε floor each row's weights y/x sum to exactly 1.
    const weights = outputs.y!.data.map((value, i) => value / x.data[i]!);
    for (const row of [0, 1])
      expect(weights.slice(row * 32, row * 32 + 32).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('names the layer, the axis and the sizes in its errors', () => {
    expect(() => gaussianAdaptiveAttention(input('x', [2, 10]), { heads: 3, name: 'gate' })).toThrow(
      ShapeError,
    );
    expect(() => gaussianAdaptiveAttention(input('x', [2, 10]), { heads: 3, name: 'gate' })).toThrow(/heads/);
    expect(() => gaussianAdaptiveAttention(input('x', [2, 10]), { gaussians: 0 })).toThrow(SpecError);
    expect(() => gaussianAdaptiveAttention(input('x', [2, 10], 'i32'))).toThrow(/float/);
  });
});
