import { applyUnary } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { initializeParameters } from './random-init.js';
import { createSeededRandom } from './seeded-random.js';

/** Standard normal CDF in float64, from the IR's reference erf. */
function normalCdf(x: number): number {
  return 0.5 * (1 + applyUnary('erf', x / Math.SQRT2, 'f32'));
}

/** Kolmogorov-Smirnov statistic of `samples` against the standard normal. */
function ksStatistic(samples: Float64Array): number {
  const sorted = Float64Array.from(samples).sort();
  let statistic = 0;
  for (let i = 0; i < sorted.length; i++) {
    const cdf = normalCdf(sorted[i]!);
    statistic = Math.max(statistic, (i + 1) / sorted.length - cdf, cdf - i / sorted.length);
  }
  return statistic;
}

describe('createSeededRandom', () => {
  it('draws standard normal samples (Kolmogorov-Smirnov test at the 1% level)', () => {
    const random = createSeededRandom(2024);
    const count = 20_000;
    const samples = Float64Array.from({ length: count }, () => random.nextNormal());
    // The 1% critical value of the KS statistic is 1.628 / sqrt(n).
    expect(ksStatistic(samples)).toBeLessThan(1.628 / Math.sqrt(count));
    // A uniform stream is clearly not normal: the test can fail.
    const uniform = Float64Array.from({ length: count }, () => random.nextUniform() * 4 - 2);
    expect(ksStatistic(uniform)).toBeGreaterThan(1.628 / Math.sqrt(count));
  });

  it('draws uniforms strictly inside (0, 1) with equal bucket counts (chi-square, 1% level)', () => {
    const random = createSeededRandom('buckets');
    const counts = new Array<number>(16).fill(0);
    const count = 32_000;
    for (let i = 0; i < count; i++) {
      const u = random.nextUniform();
      expect(u > 0 && u < 1).toBe(true);
      counts[Math.floor(u * 16)]!++;
    }
    const expected = count / 16;
    const chiSquare = counts.reduce((total, observed) => total + (observed - expected) ** 2 / expected, 0);
    // Chi-square with 15 degrees of freedom: 1% critical value 30.58.
    expect(chiSquare).toBeLessThan(30.58);
  });

  it('is reproducible and differs between seeds', () => {
    const draw = (seed: number | string) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw('a')).toEqual(draw('a'));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw('a')).not.toEqual(draw('b'));
  });
});

describe('initializeParameters', () => {
  const parameters = [
    { name: 'layers.0.attn.wq', shape: [256, 128], init: 'normal' as const },
    { name: 'layers.0.attnNorm.gain', shape: [128], init: 'ones' as const },
    { name: 'layers.0.attn.bq', shape: [128], init: 'zeros' as const },
    { name: 'embedding.tokens', shape: [512, 128], init: 'normal' as const, fanIn: 1 },
  ];

  it('scales normal samples by 1/sqrt(fanIn): mean and std within 5 standard errors', () => {
    const weights = initializeParameters(parameters, { seed: 3 });
    for (const [name, fanIn] of [
      ['layers.0.attn.wq', 256],
      ['embedding.tokens', 1],
    ] as const) {
      const data = weights.get(name)!;
      const n = data.length;
      const mean = data.reduce((total, value) => total + value, 0) / n;
      const variance = data.reduce((total, value) => total + (value - mean) ** 2, 0) / (n - 1);
      const std = 1 / Math.sqrt(fanIn);
      expect(Math.abs(mean)).toBeLessThan((5 * std) / Math.sqrt(n));
      // The standard error of a sample std of a normal is about std / sqrt(2n).
      expect(Math.abs(Math.sqrt(variance) - std)).toBeLessThan((5 * std) / Math.sqrt(2 * n));
    }
    expect(weights.get('layers.0.attnNorm.gain')).toEqual(new Float32Array(128).fill(1));
    expect(weights.get('layers.0.attn.bq')).toEqual(new Float32Array(128));
  });

  it('gives each parameter values that depend only on the seed and its name', () => {
    const all = initializeParameters(parameters, { seed: 9 });
    const reversed = initializeParameters([...parameters].reverse(), { seed: 9 });
    const alone = initializeParameters([parameters[0]!], { seed: 9 });
    expect(reversed.get('layers.0.attn.wq')).toEqual(all.get('layers.0.attn.wq'));
    expect(alone.get('layers.0.attn.wq')).toEqual(all.get('layers.0.attn.wq'));
    const otherSeed = initializeParameters([parameters[0]!], { seed: 10 });
    expect(otherSeed.get('layers.0.attn.wq')).not.toEqual(all.get('layers.0.attn.wq'));
  });

  it('rejects duplicate names, bad shapes and bad fanIn with the tensor named', () => {
    expect(() => initializeParameters([parameters[1]!, parameters[1]!], { seed: 0 })).toThrow(
      /tensor "layers.0.attnNorm.gain": initializeParameters: duplicate/,
    );
    expect(() => initializeParameters([{ name: 'w', shape: [2, 1.5], init: 'ones' }], { seed: 0 })).toThrow(
      /tensor "w": .*non-negative integers/,
    );
    expect(() => initializeParameters([{ name: 'w', shape: [0, 4], init: 'normal' }], { seed: 0 })).toThrow(
      /tensor "w": .*fanIn must be a positive integer.*got 0/,
    );
  });
});
