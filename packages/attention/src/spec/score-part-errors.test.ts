import { SpecError, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { gaussianKernelScore } from './gaussian-kernel-score.js';
import { patternInjectedHeads } from './pattern-injected-heads.js';
import { probabilisticAttentionScore } from './probabilistic-attention-score.js';

const rows = tensorRef('rows', [1, 4, 24]);

describe('errors of the score parts built from score mods and masks', () => {
  it('patternInjectedHeads asks for the id tensor a pattern needs, [batch, keys] i32', () => {
    expect(() => patternInjectedHeads({ patterns: ['matchingToken'] })).toThrow(/needs tokenIds/);
    expect(() =>
      patternInjectedHeads({ patterns: ['intraSentence'], sentenceIds: tensorRef('ids', [1, 24]) }),
    ).toThrow(/\[batch, keys\] i32/);
    expect(() => patternInjectedHeads({ patterns: [] })).toThrow(SpecError);
  });

  it('probabilisticAttentionScore and gaussianKernelScore want [batch, heads, length] f32 tensors', () => {
    const flat = tensorRef('precision', [24]);
    expect(() =>
      probabilisticAttentionScore({
        precision: flat,
        logPrior: rows,
        queryNormSquared: rows,
        keyNormSquared: rows,
      }),
    ).toThrow(/precision must be \[batch, heads or kvHeads, length\] f32/);
    expect(() =>
      gaussianKernelScore({ queryNormSquared: rows, keyNormSquared: tensorRef('k', [1, 4, 24], 'i32') }),
    ).toThrow(/keyNormSquared/);
  });

  it('the score parts replace the default scale and describe themselves', () => {
    const score = probabilisticAttentionScore({
      precision: rows,
      logPrior: rows,
      queryNormSquared: rows,
      keyNormSquared: rows,
    });
    expect(score.map((mod) => mod.description)).toEqual(['scale(1)', 'probabilisticAttention']);
    expect(gaussianKernelScore({ queryNormSquared: rows, keyNormSquared: rows })[0]!.setsScale).toBe(true);
  });
});
