import { SpecError, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionFromJSON } from './attention-json.js';

/** The message of the SpecError `attentionFromJSON(json)` throws at `path`. */
function errorOf(json: unknown, path = 'layers[2].attention'): string {
  try {
    attentionFromJSON(json, { path });
  } catch (error) {
    expect(WeftError.isInstance(error) && error instanceof SpecError).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a SpecError');
}

const base = { heads: 8, headDim: 64 };

describe('attentionFromJSON: junk gives a SpecError with the JSON path', () => {
  it('names unknown keys, at any depth', () => {
    const message = errorOf({
      ...base,
      window: 4096,
      positions: { kind: 'rope', theta: 1e4 },
      mask: { kind: 'and', masks: [{ kind: 'causal', alignment: 'top-left' }] },
    });
    expect(message).toContain('layers[2].attention.window: unknown key');
    expect(message).toContain('layers[2].attention.positions.theta: unknown key');
    expect(message).toContain('layers[2].attention.mask.masks[0].alignment: unknown key');
    expect(message).toMatch(/^invalid attention spec \(3 problems\)/);
  });

  it('names the score map: an even key kernel, head groups not dividing the heads, unknown keys', () => {
    const scoreMap = (options: object) => ({
      ...base,
      mask: { kind: 'causal' },
      scoreMap: { kind: 'multiTokenConvolution', queryKernel: 6, keyKernel: 11, ...options },
    });
    expect(errorOf(scoreMap({ keyKernel: 10 }))).toMatch(/layers\[2\]\.attention\.scoreMap.*keyKernel.*odd/);
    expect(errorOf(scoreMap({ headMixing: { groupSize: 3 } }))).toMatch(
      /layers\[2\]\.attention.*scoreMap\.headMixing\.groupSize \(3\) must divide heads \(8\)/,
    );
    expect(errorOf(scoreMap({ headMixing: { groupSize: 2, mode: 'post' } }))).toContain(
      'layers[2].attention.scoreMap.headMixing.mode: unknown key',
    );
    expect(attentionFromJSON(scoreMap({ headMixing: { groupSize: 8 } })).scoreMap?.headMixing).toEqual({
      groupSize: 8,
      placement: 'postSoftmax',
    });
  });

  it('names wrong types and missing keys', () => {
    const message = errorOf({
      heads: '8',
      headDim: 64.5,
      kvHeads: 0,
      qkNorm: { eps: '1e-6' },
      score: [{ kind: 'softcap' }],
      normalizer: { kind: 'topTheta', threshold: { tensor: 'theta', shape: [8, -1] } },
    });
    expect(message).toContain(
      'layers[2].attention.heads: expected a positive integer or a weightedGqa head layout, got "8"',
    );
    expect(message).toContain('layers[2].attention.headDim: expected a positive integer, got 64.5');
    expect(message).toContain('layers[2].attention.kvHeads: expected a positive integer, got 0');
    expect(message).toContain('layers[2].attention.qkNorm.eps: expected a finite number >= 0, got "1e-6"');
    expect(message).toContain('layers[2].attention.score[0].cap: missing required key');
    expect(message).toContain(
      'layers[2].attention.normalizer.threshold.shape[1]: expected an integer >= 0, got -1',
    );
  });

  it('refuses NaN and infinities (JSON.parse reads 1e999 as Infinity)', () => {
    const parsed = JSON.parse(
      '{ "heads": 8, "headDim": 64, "score": [{ "kind": "scale", "value": 1e999 }] }',
    );
    expect(errorOf(parsed)).toContain('layers[2].attention.score[0].value: expected a finite number');
    expect(errorOf({ ...base, positions: { kind: 'rope', base: Number.NaN } })).toContain(
      'layers[2].attention.positions.base: expected a finite number > 1, got NaN',
    );
    expect(errorOf({ ...base, normalizer: { kind: 'softmax', sink: Number.NEGATIVE_INFINITY } })).toContain(
      'layers[2].attention.normalizer.sink: expected a finite number, got -Infinity',
    );
  });

  it('lists the known kinds of an unknown kind and suggests the closest', () => {
    const message = errorOf({
      ...base,
      positions: { kind: 'RoPE' },
      mask: { kind: 'not', mask: { kind: 'casual' } },
      normalizer: { kind: 'entmax15' },
      score: { kind: 'tanh' },
    });
    expect(message).toContain(
      'layers[2].attention.positions.kind: expected a position kind: rope, alibi, nope; got "RoPE" (did you mean "rope"?)',
    );
    expect(message).toContain(
      'layers[2].attention.mask.mask.kind: expected a mask kind: causal, slidingWindow,',
    );
    expect(message).toContain('got "casual" (did you mean "causal"?)');
    expect(message).toContain('got "entmax15" (did you mean "entmax"?)');
    expect(message).toMatch(/score\.kind: expected a score mod kind: scale, softcap, .*; got "tanh"$/m);
    expect(errorOf({ ...base, mask: { window: 8 } })).toContain(
      'layers[2].attention.mask.kind: expected a mask kind',
    );
  });

  it('prefixes a builder error with the path of the part that failed', () => {
    expect(errorOf({ heads: 8, kvHeads: 3, headDim: 64 })).toMatch(
      /^layers\[2\]\.attention: .*kvHeads \(3\) must divide heads \(8\)/,
    );
    expect(errorOf({ ...base, positions: { kind: 'rope', dims: 2 } })).toMatch(
      /^layers\[2\]\.attention\.positions: rope: 2-D RoPE needs grid/,
    );
    expect(
      errorOf({
        ...base,
        mask: { kind: 'or', masks: [{ kind: 'causal' }, { kind: 'fixedSparse', stride: 4, summary: 6 }] },
      }),
    ).toMatch(/^layers\[2\]\.attention\.mask\.masks\[1\]: fixedSparse: summary must not exceed stride/);
    expect(errorOf({ ...base, score: [{ kind: 'scale', value: { tensor: 'g', shape: [2, 2] } }] })).toMatch(
      /^layers\[2\]\.attention\.score\[0\]: .*scale: a scale tensor is \[1\] \(shared\) or \[heads\]/,
    );
    expect(errorOf({ ...base, mask: { kind: 'patternInjectedHeads', patterns: ['matchingToken'] } })).toMatch(
      /^layers\[2\]\.attention\.mask: .*a 'matchingToken' head needs tokenIds/,
    );
    expect(errorOf({ ...base, normalizer: { kind: 'sigmoid' }, outputs: { logSumExp: true } })).toMatch(
      /^layers\[2\]\.attention: .*the log-sum-exp output exists for softmax only/,
    );
  });

  it('names the document when it is not an object, and reads a path-less value as the document', () => {
    expect(errorOf([1, 2], '')).toContain(
      'invalid attention spec: (document) must be a JSON object (got an array)',
    );
    expect(errorOf(null, 'attention')).toContain('attention must be a JSON object (got null)');
    expect(() => attentionFromJSON({ heads: 8, kvHeads: 3, headDim: 64 })).toThrow(/^\(document\): /);
  });
});
