import { input, interpret, SpecError, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { denseAdditiveAttention } from '../../test/dense-additive-score.js';
import { denseNestedAttention } from '../../test/dense-nested-attention.js';
import { denseVisualSentinel } from '../../test/dense-visual-sentinel.js';
import {
  additiveAttentionCatalogEntry,
  mlpScoreAttentionCatalogEntry,
} from '../catalog/additive-score-entry.js';
import { nestedAttentionCatalogEntry } from '../catalog/nested-attention-entry.js';
import { visualSentinelCatalogEntry } from '../catalog/visual-sentinel-entry.js';
import { withSentinel } from '../visual-sentinel.js';
import { additiveScore } from './additive-score.js';

const projections = {
  queryProjection: tensorRef('qp', [1, 4, 12, 8]),
  keyProjection: tensorRef('kp', [1, 2, 24, 8]),
  weights: tensorRef('u', [4, 8]),
};

describe('additiveScore', () => {
  it('is scale(1) and one score mod summing C activations', () => {
    const mods = additiveScore(projections);
    expect(mods.map((mod) => mod.description)).toEqual(['scale(1)', 'additiveScore(tanh, C=8)']);
  });

  it('rejects mismatched widths, wrong ranks and unknown activations, naming the tensor', () => {
    expect(() => additiveScore({ ...projections, keyProjection: tensorRef('kp', [1, 2, 24, 6]) })).toThrow(
      /keyProjection's last dim must equal the weights' width C/,
    );
    expect(() => additiveScore({ ...projections, weights: tensorRef('u', [8]) })).toThrow(SpecError);
    expect(() => additiveScore({ ...projections, weights: tensorRef('u', [4, 65]) })).toThrow(/\[1, 64\]/);
    expect(() => additiveScore({ ...projections, activation: 'gelu' as 'tanh' })).toThrow(/'tanh' or 'relu'/);
    expect(() => additiveScore({ ...projections, extra: 1 } as never)).toThrow(/unknown option "extra"/);
  });

  for (const [entry, activation, causal, queries] of [
    [additiveAttentionCatalogEntry, 'tanh', false, 12],
    [mlpScoreAttentionCatalogEntry, 'relu', true, 24],
  ] as const) {
    it(`${entry.mechanism}: the float64 reference equals the dense formula of paper ${entry.paper}`, () => {
      const instance = entry.build();
      const values = { ...instance.inputs, ...instance.params };
      const reference = interpret(instance.graph, instance).output!.data;
      const sizes = { batch: 1, heads: 4, queries, keys: 24, headDim: 16, valueDim: 16 };
      const dense = denseAdditiveAttention(values, sizes, {
        mechanism: entry.mechanism,
        activation,
        causal,
        width: 8,
      });
      let worst = 0;
      let norm = 0;
      dense.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(x - Number(reference[i])));
        norm = Math.max(norm, Math.abs(x));
      });
      expect(worst / norm).toBeLessThan(1e-12);
    });
  }
});

describe('withSentinel (catalog #108)', () => {
  it('the float64 reference equals the dense (k + 1)-slot softmax of the paper', () => {
    const instance = visualSentinelCatalogEntry.build();
    const reference = interpret(instance.graph, instance);
    const dense = denseVisualSentinel({ ...instance.inputs, ...instance.params });
    for (const name of ['output', 'sentinelWeight'] as const) {
      const actual = reference[name]!.data;
      const scale = Math.max(...Array.from(dense[name], Math.abs));
      const worst = Math.max(...Array.from(dense[name], (x, i) => Math.abs(x - Number(actual[i]))));
      expect(worst / scale, name).toBeLessThan(1e-12);
    }
    // β is neither 0 nor 1 anywhere: the sentinel genuinely competes with the regions.
    expect(Array.from(dense.sentinelWeight).every((beta) => beta > 0.01 && beta < 0.99)).toBe(true);
  });

  it('rejects a logit of the wrong shape, naming it', () => {
    const attended = { output: input('o', [1, 2, 6, 16]), logSumExp: input('l', [1, 2, 6]) };
    expect(() =>
      withSentinel(attended, { logit: input('z', [1, 2, 5]), value: input('s', [1, 2, 6, 16]) }),
    ).toThrow(/sentinel logit must be \[batch, heads, queries\]/);
  });
});

describe('a per-query value for one key through withSentinel (catalog #68)', () => {
  it('the float64 reference equals the dense nested-attention formula, the column probability too', () => {
    const instance = nestedAttentionCatalogEntry.build();
    const reference = interpret(instance.graph, instance);
    const dense = denseNestedAttention({ ...instance.inputs, ...instance.params });
    for (const name of ['output', 'subjectWeight'] as const) {
      const actual = reference[name]!.data;
      const scale = Math.max(...Array.from(dense[name], Math.abs));
      const worst = Math.max(...Array.from(dense[name], (x, i) => Math.abs(x - Number(actual[i]))));
      expect(worst / scale, name).toBeLessThan(1e-12);
    }
    expect(Array.from(dense.subjectWeight).every((weight) => weight > 0.001 && weight < 0.999)).toBe(true);
  });
});
