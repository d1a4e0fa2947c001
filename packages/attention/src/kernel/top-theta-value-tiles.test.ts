import { param } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { causal, topTheta } from '../index.js';
import type { TopThetaValueTiles } from '../normalizers/top-theta.js';
import { attentionWgsl, HARDWARE, perHead, SOFTWARE } from './snapshots/snapshot-support.js';

const VOTE = 'workgroupUniformLoad(&value_vote[0])';

function topThetaWgsl(valueTiles: TopThetaValueTiles | undefined, software: boolean): string {
  const normalizer = topTheta({
    threshold: perHead('theta'),
    ...(valueTiles === undefined ? {} : { valueTiles }),
  });
  return attentionWgsl({ heads: 2, headDim: 4, mask: causal(), normalizer }, software ? SOFTWARE : HARDWARE, {
    tensors: () => ({ theta: param('theta', [2]) }),
  });
}

describe("Top-θ's V tiles by adapter", () => {
  it.each([
    [undefined, false, true],
    [undefined, true, false],
    ['auto', true, false],
    ['skipPruned', true, true],
    ['skipPruned', false, true],
    ['loadAll', false, false],
  ] as const)(
    'valueTiles %s on a software adapter %s: the per-tile vote %s',
    (valueTiles, software, votes) => {
      expect(topThetaWgsl(valueTiles, software).includes(VOTE)).toBe(votes);
    },
  );

  it('an unknown valueTiles is a SpecError naming the option', () => {
    expect(() => topTheta({ threshold: perHead('theta'), valueTiles: 'sometimes' as never })).toThrow(
      /topTheta: unknown valueTiles/,
    );
  });
});
