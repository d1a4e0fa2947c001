import { SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../weights/seeded-random.js';
import { argmax, createSampler } from './sampling.js';

function randomLogits(seed: number, size = 32): Float32Array {
  const random = createSeededRandom(seed);
  return Float32Array.from({ length: size }, () => random.nextNormal() * 2);
}

describe('createSampler', () => {
  it('greedy picks the largest logit, the first one on ties', () => {
    const logits = randomLogits(1);
    const best = logits.reduce((winner, value, index) => (value > logits[winner]! ? index : winner), 0);
    expect(createSampler({ kind: 'greedy' }).next(logits)).toBe(best);
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
  });

  it('equal seeds give equal token streams, different seeds different ones', () => {
    const stream = (seed: number) => {
      const sampler = createSampler({ temperature: 1.5, topK: 20, topP: 0.95, seed });
      return Array.from({ length: 40 }, (_, step) => sampler.next(randomLogits(100 + step)));
    };
    expect(stream(7)).toEqual(stream(7));
    expect(stream(7)).not.toEqual(stream(8));
  });

  it('topK = 1 and a tiny topP reduce to greedy', () => {
    for (let seed = 0; seed < 20; seed++) {
      const logits = randomLogits(seed);
      expect(createSampler({ topK: 1, seed }).next(logits)).toBe(argmax(logits));
      expect(createSampler({ topP: 1e-6, seed }).next(logits)).toBe(argmax(logits));
    }
  });

  it('samples the softmax of logits / temperature (frequencies within 4σ over 20 000 draws)', () => {
    const logits = Float32Array.of(0.5, -1, 2, 0, 1);
    const temperature = 1.7;
    const weights = Array.from(logits, (value) => Math.exp(value / temperature));
    const total = weights.reduce((sum, value) => sum + value, 0);
    const sampler = createSampler({ temperature, seed: 3 });
    const draws = 20_000;
    const counts = new Array<number>(logits.length).fill(0);
    for (let draw = 0; draw < draws; draw++) counts[sampler.next(logits)]! += 1;
    weights.forEach((weight, token) => {
      const probability = weight / total;
      const sigma = Math.sqrt((probability * (1 - probability)) / draws);
      expect(Math.abs(counts[token]! / draws - probability)).toBeLessThan(4 * sigma);
    });
  });

  it('never draws outside the top-k set or the nucleus', () => {
    const logits = randomLogits(5, 64);
    const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
    const topK = createSampler({ topK: 4, seed: 1 });
    for (let draw = 0; draw < 500; draw++) expect(order.slice(0, 4)).toContain(topK.next(logits));
    const probabilities = order.map((token) => Math.exp(logits[token]!));
    const total = probabilities.reduce((sum, value) => sum + value, 0);
    let mass = 0;
    let nucleus = 0;
    while (mass < 0.5 * total) mass += probabilities[nucleus++]!;
    const topP = createSampler({ topP: 0.5, seed: 2 });
    for (let draw = 0; draw < 500; draw++) expect(order.slice(0, nucleus)).toContain(topP.next(logits));
  });

  it('rejects out-of-range settings', () => {
    expect(() => createSampler({ temperature: 0 })).toThrow(SpecError);
    expect(() => createSampler({ topK: 0 })).toThrow(/topK/);
    expect(() => createSampler({ topP: 1.5 })).toThrow(/topP/);
  });
});
