import { input, interpret, makeGraph, SpecError, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { denseNats, denseNatsMask, denseNatsTypes } from '../test/dense-nats.js';
import { ATTENTION_CATALOG } from './catalog/attention-catalog.js';
import { NATS_SHAPE, natsFeatures, natsTypeLogits, natsTypeWeight } from './catalog/nats-entry.js';
import { seeded } from './catalog/seeded-values.js';
import { causal } from './masks/builtin-masks.js';
import { and } from './masks/combine-masks.js';
import { checkBlockRule } from './masks/custom-mask.js';
import { keyLifetime, longestLifetimePerBlock } from './masks/key-lifetime.js';
import { natsKeyLifetimes } from './masks/nats-key-lifetimes.js';

/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-10;
const { heads, length, features, window, headDim } = NATS_SHAPE;

function lifetimes(xSeed: number, weightSeed: number) {
  const typeLogits = natsTypeLogits(
    input('x', [1, length, features]),
    input('typeWeight', [features, heads * 3]),
  );
  const lastQuery = natsKeyLifetimes(typeLogits, { window });
  const tiles = longestLifetimePerBlock(lastQuery, 32);
  const x = natsFeatures(xSeed);
  const typeWeight = natsTypeWeight(weightSeed);
  const run = interpret(makeGraph({ lastQuery, tiles }), { inputs: { x, typeWeight } });
  const types = denseNatsTypes({ heads, length, dim: headDim, features, window }, x, typeWeight);
  return { lastQuery: run.lastQuery!.data, tiles: run.tiles!.data, types };
}

describe('NAtS (#11): key lifetimes from the type logits', () => {
  it('k ≤ q ≤ lastQuery[k] is the n×n mask written from the paper, on every seed', () => {
    for (const seed of [1, 2, 3]) {
      const { lastQuery, types } = lifetimes(10 * seed, 10 * seed + 1);
      for (let h = 0; h < heads; h++) {
        const expected = denseNatsMask(types[h]!, window);
        for (let i = 0; i < length; i++)
          for (let j = 0; j < length; j++)
            expect([h, i, j, j <= i && i <= lastQuery[h * length + j]!]).toEqual([h, i, j, expected[i]![j]]);
      }
      // Every type occurs, Global rarely (the bias row): the instance exercises each rule.
      const counts: Record<string, number> = {};
      for (const type of types.flat()) counts[type] = (counts[type] ?? 0) + 1;
      expect(Object.keys(counts).sort()).toEqual(['global', 'local', 'slidingWindow']);
      expect(counts.global!).toBeLessThan(counts.local!);
    }
  });

  it('the skipEmptyTiles block rule never calls a tile with a kept pair empty, and skips some', () => {
    const { lastQuery, tiles } = lifetimes(35, 31);
    const mask = and(
      causal(),
      keyLifetime(tensorRef('lastQuery', [1, heads, length], 'i32'), { skipEmptyTiles: true }),
    );
    let empty = 0;
    for (let head = 0; head < heads; head++) {
      const read = (tensor: string, index: readonly number[]) => {
        const source = tensor === 'lastQuery' ? lastQuery : tiles;
        const keys = tensor === 'lastQuery' ? length : length / 32;
        return source[index[1]! * keys + index[2]!]!;
      };
      checkBlockRule(
        mask,
        { queries: length, keys: length },
        [
          { query: 32, key: 32 },
          { query: 16, key: 8 },
        ],
        {
          head,
          read,
        },
      );
      for (let q = 0; q < length / 32; q++)
        for (let k = 0; k < q; k++)
          if (
            mask.blockSparsity(
              q,
              k,
              { query: 32, key: 32 },
              { queries: length, keys: length },
              { head, read },
            ) === 'empty'
          )
            empty++;
    }
    console.log('NAtS instance: below-diagonal 32×32 tiles skipped', empty, 'of', heads * 6);
    expect(empty).toBeGreaterThan(0);
  });

  it('the catalog instance (reference interpreter) equals the dense float64 formula', () => {
    const entry = ATTENTION_CATALOG.find((candidate) => candidate.mechanism === 'nats')!;
    const instance = entry.build();
    const { output } = interpret(instance.graph, { inputs: instance.inputs, params: instance.params });
    const expected = denseNats({ heads, length, dim: headDim, features, window })({
      ...instance.inputs,
      ...instance.params,
    }).output;
    let worst = 0;
    let norm = 0;
    for (let i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(output!.data[i]! - expected[i]!));
      norm = Math.max(norm, Math.abs(expected[i]!));
    }
    console.log('NAtS reference vs dense float64, max abs error / max abs', worst / norm);
    expect(worst / norm).toBeLessThan(FLOAT64_TOLERANCE);
  }, 120_000);

  it('refuses a last-query tensor or type logits of the wrong shape', () => {
    expect(() => keyLifetime(tensorRef('lastQuery', [length, length], 'i32'))).toThrow(SpecError);
    expect(() => natsKeyLifetimes(input('z', [1, heads, length, 2]))).toThrow(SpecError);
    expect(() => natsKeyLifetimes(input('z', [1, heads, length, 3]), { window: -1 })).toThrow(SpecError);
    expect(seeded(1, 1)[0]).not.toBe(0);
  });
});
