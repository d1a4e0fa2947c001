import { input, interpret, makeGraph } from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseReadouts } from '../test/dense-readouts.js';
import { applyAttention, attention, attentionRollout, causal } from './index.js';

const N = 6;
const HEADS = 2;
const DIM = 8;
const LAYERS = 3;
const EVERY_ROW = Array.from({ length: N }, (_, row) => row);

/** Abnar & Zuidema (38), from the paper: Ã = 0.5·mean_h A + 0.5·I, rows renormalized, R = Ã⁽ᴸ⁾⋯Ã⁽¹⁾. */
function denseRollout(maps: readonly Float64Array[]): Float64Array {
  let rollout: Float64Array | undefined;
  for (const map of maps) {
    const layer = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let average = 0;
        for (let h = 0; h < HEADS; h++) average += map[(h * N + i) * N + j]! / HEADS;
        layer[i * N + j] = 0.5 * average + (i === j ? 0.5 : 0);
      }
      let total = 0;
      for (let j = 0; j < N; j++) total += layer[i * N + j]!;
      for (let j = 0; j < N; j++) layer[i * N + j]! /= total;
    }
    if (rollout === undefined) {
      rollout = layer;
      continue;
    }
    const product = new Float64Array(N * N);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++)
        for (let k = 0; k < N; k++) product[i * N + j]! += layer[i * N + k]! * rollout[k * N + j]!;
    rollout = product;
  }
  return rollout!;
}

describe('attention rollout (38) from per-layer probe readouts', () => {
  it('matches the dense product of residual-mixed, head-averaged maps', () => {
    const spec = attention({ heads: HEADS, headDim: DIM, mask: causal(), outputs: { probeRows: EVERY_ROW } });
    const inputs: Record<string, ReturnType<typeof randomTensor>> = {};
    const maps = Array.from({ length: LAYERS }, (_, layer) => {
      for (const name of ['q', 'k', 'v'])
        inputs[`${name}${layer}`] = randomTensor([1, HEADS, N, DIM], {
          seed: 7 * layer + name.charCodeAt(0),
        });
      const result = applyAttention(spec, {
        query: input(`q${layer}`, [1, HEADS, N, DIM]),
        key: input(`k${layer}`, [1, HEADS, N, DIM]),
        value: input(`v${layer}`, [1, HEADS, N, DIM]),
      });
      return result.probeRows!;
    });
    const rollout = interpret(makeGraph({ rollout: attentionRollout(maps) }), { inputs }).rollout!;
    const denseMaps = Array.from(
      { length: LAYERS },
      (_, layer) =>
        denseReadouts({
          batch: 1,
          heads: HEADS,
          kvHeads: HEADS,
          queries: N,
          keys: N,
          headDim: DIM,
          query: inputs[`q${layer}`]!.data,
          key: inputs[`k${layer}`]!.data,
          keep: (i, j) => j <= i,
          segmentStarts: [0],
          probeRows: [],
        }).probabilities,
    );
    const dense = denseRollout(denseMaps);
    expectClose(rollout, dense, { rtol: 1e-10, atol: 1e-12 });
    // Causal rollout stays lower triangular with rows summing to 1, and is not the identity.
    for (let i = 0; i < N; i++) {
      expect(dense.slice(i * N, i * N + N).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 12);
      for (let j = i + 1; j < N; j++) expect(dense[i * N + j]).toBe(0);
    }
    expect(dense[N * N - 1]!).toBeLessThan(0.9);
  });
  it('names a layer whose map has the wrong shape', () => {
    const map = input('a', [1, HEADS, N, N]);
    expect(() => attentionRollout([map, input('b', [1, HEADS, N, N + 1])])).toThrow(
      /layer 2 has the wrong shape/,
    );
    expect(() => attentionRollout([])).toThrow(/at least one layer/);
  });
});
