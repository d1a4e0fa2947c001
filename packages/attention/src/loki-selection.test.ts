import { input, interpret, makeGraph, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { lokiKeys } from './catalog/loki-entry.js';
import { principalDirections } from './catalog/principal-directions.js';
import { seeded } from './catalog/seeded-values.js';
import { lokiKeySelection, lokiSelection } from './masks/loki-selection.js';

const HEADS = 2;
const DIM = 16;
const LENGTH = 64;
const RANK = 4;

describe('lokiSelection (#59)', () => {
  it('keeps the topK causal keys of each query by their low-rank scores', () => {
    const shape = [1, HEADS, LENGTH, DIM];
    const [query, key] = [input('q', shape), input('k', shape)];
    const projection = input('projection', [DIM, RANK]);
    const keep = lokiKeySelection(query, key, { projection, topK: 8 });
    const count = HEADS * LENGTH * DIM;
    const basis = principalDirections(lokiKeys(4 * count, 5), DIM, RANK);
    const q = seeded(count, 1);
    const k = lokiKeys(count, 2);
    const { keep: result } = interpret(makeGraph({ keep }), { inputs: { q, k, projection: basis } });
    const project = (data: Float32Array, row: number) =>
      Array.from({ length: RANK }, (_, c) =>
        Array.from({ length: DIM }, (_, d) => data[row * DIM + d]! * basis[d * RANK + c]!).reduce(
          (a, b) => a + b,
        ),
      );
    for (let h = 0; h < HEADS; h++)
      for (let i = 0; i < LENGTH; i++) {
        const row = Array.from({ length: LENGTH }, (_, j) => result!.data[(h * LENGTH + i) * LENGTH + j]!);
        const kept = row.flatMap((value, j) => (value !== 0 ? [j] : []));
        expect(kept.length).toBe(Math.min(8, i + 1));
        expect(kept.every((j) => j <= i)).toBe(true);
        const qHat = project(q, h * LENGTH + i);
        const score = (j: number) => project(k, h * LENGTH + j).reduce((s, v, c) => s + v * qHat[c]!, 0);
        const weakestKept = Math.min(...kept.map(score));
        for (let j = 0; j <= i; j++) if (!kept.includes(j)) expect(score(j)).toBeLessThanOrEqual(weakestKept);
      }
  });

  it('rejects a projection that does not match the head dim, and a bad topK', () => {
    const shape = [1, HEADS, LENGTH, DIM];
    const [query, key] = [input('q', shape), input('k', shape)];
    expect(() => lokiKeySelection(query, key, { projection: input('p', [DIM + 1, RANK]), topK: 8 })).toThrow(
      SpecError,
    );
    expect(() => lokiSelection({ projection: input('p', [DIM, RANK]), topK: 0 })).toThrow(SpecError);
    expect(() => lokiSelection({ projection: 'pca' as never, topK: 4 })).toThrow(/projection/);
  });
});
