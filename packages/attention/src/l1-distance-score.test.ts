import { SpecError } from '@weft/ir';
import { expectClose } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import {
  buildCase,
  type CaseShape,
  decomposedOf,
  expectReferenceAgrees,
  referenceOf,
} from '../test/attention-case.js';
import { naiveAttention } from '../test/naive-attention.js';
import { ATTENTION_CATALOG } from './catalog/attention-catalog.js';
import {
  attention,
  causal,
  identity,
  L1_DISTANCE,
  makeMask,
  qkNorm,
  readsL1Distance,
  rope,
  SCORE,
  scoreMod,
  softcap,
  softmax,
  UNKNOWN_BLOCK_RULE,
} from './index.js';

const ALPHA = 1.5;
const BETA = 0.2;
/** Comateformer: tanh(α·s)·σ(−β·d) on the scaled score s and the L1 distance d. */
const comateformer = scoreMod(
  (score, { l1Distance }) => score.mul(ALPHA).apply('tanh').mul(l1Distance.mul(-BETA).apply('sigmoid')),
  'comateformer',
);
const comateformerOf = (s: number, d: number) => Math.tanh(ALPHA * s) * (1 / (1 + Math.exp(BETA * d)));

const HEADS = { mha: [4, 4], gqa: [4, 2], mqa: [4, 1] } as const;
const LENGTHS = [
  [1, 1],
  [7, 7],
  [13, 13],
  [5, 11],
] as const;

describe('L1-distance score channel: reference vs a hand-written attention and the decomposition', () => {
  let seed = 500;
  for (const [headsName, [heads, kvHeads]] of Object.entries(HEADS)) {
    for (const masked of [false, true]) {
      for (const normalizerName of ['identity-none', 'softmax'] as const) {
        const caseSeed = seed++;
        it(`${headsName}${masked ? ' causal' : ''} Comateformer score, ${normalizerName}`, () => {
          for (const [queries, keys] of LENGTHS) {
            const shape: CaseShape = { batch: 2, heads, kvHeads, queries, keys, headDim: 8, valueDim: 6 };
            const testCase = buildCase(
              shape,
              {
                score: [comateformer],
                ...(masked ? { mask: causal() } : {}),
                normalizer: normalizerName === 'softmax' ? softmax() : identity({ outputNorm: 'none' }),
              },
              {},
              caseSeed,
            );
            const naive = naiveAttention({
              ...shape,
              query: testCase.inputs.q!.data,
              key: testCase.inputs.k!.data,
              value: testCase.inputs.v!.data,
              withL1Distance: comateformerOf,
              ...(masked
                ? { keep: (_b: number, _h: number, i: number, j: number) => j <= i + keys - queries }
                : {}),
              normalizer:
                normalizerName === 'softmax' ? 'softmax' : { identity: { norm: 'none', epsilon: 0 } },
            });
            const label = `${headsName} Nq=${queries} Nk=${keys}`;
            expectReferenceAgrees(testCase, naive.output, label);
          }
        });
      }
    }
  }

  it('measures the distance on prepared rows (after QK norm and RoPE), unscaled, next to other mods', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 1, queries: 6, keys: 9, headDim: 8, valueDim: 4 };
    const testCase = buildCase(
      shape,
      {
        positions: rope({ base: 100 }),
        qkNorm: qkNorm({ kind: 'rms', scale: 'none' }),
        score: [softcap(2), scoreMod((score, { l1Distance }) => score.sub(l1Distance.mul(0.25)))],
        mask: causal(),
      },
      {},
      61,
    );
    const naive = naiveAttention({
      ...shape,
      query: testCase.inputs.q!.data,
      key: testCase.inputs.k!.data,
      value: testCase.inputs.v!.data,
      ropeBase: 100,
      qkNorm: { kind: 'rms', epsilon: 1e-6 },
      softcap: 2,
      withL1Distance: (s, d) => s - 0.25 * d,
      keep: (_b, _h, i, j) => j <= i + 3,
    });
    const reference = referenceOf(testCase).output!;
    expectClose(reference, naive.output, { rtol: 1e-9, atol: 1e-12 });
    expectClose(decomposedOf(testCase).output!, reference, { rtol: 1e-9, atol: 1e-12 });
  });

  it('identity without an output norm: weights in (−1, 1), so |O| ≤ Σ_j |v_j| row by row', () => {
    const shape: CaseShape = { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 7, headDim: 4, valueDim: 3 };
    const testCase = buildCase(
      shape,
      { score: [comateformer], normalizer: identity({ outputNorm: 'none' }) },
      {},
      62,
    );
    const output = referenceOf(testCase).output!.data;
    const value = testCase.inputs.v!.data;
    for (let h = 0; h < 2; h++)
      for (let d = 0; d < 3; d++) {
        let bound = 0;
        for (let j = 0; j < 7; j++) bound += Math.abs(value[(h * 7 + j) * 3 + d]!);
        for (let i = 0; i < 5; i++) expect(Math.abs(output[(h * 5 + i) * 3 + d]!)).toBeLessThan(bound);
      }
  });

  it('the Comateformer catalog instance reads the L1 distance and has signed, bounded outputs', () => {
    const entry = ATTENTION_CATALOG.find(
      (candidate) => candidate.mechanism === 'comateformer-quasi-attention',
    );
    expect(entry?.paper).toBe(23);
    const { graph } = entry!.build();
    const node = graph.outputs.output!;
    expect(readsL1Distance(node.attrs.score as typeof SCORE)).toBe(true);
    expect(node.attrs.normalizer).toMatchObject({ name: 'identity', outputNorm: 'none' });
  });

  it('readsL1Distance tells scores that read the distance from those that do not', () => {
    expect(readsL1Distance(SCORE.mul(2))).toBe(false);
    expect(readsL1Distance(SCORE.sub(L1_DISTANCE))).toBe(true);
  });

  it('rejects a mask that reads the L1 distance, naming the block', () => {
    const byDistance = makeMask('near', L1_DISTANCE.lt(3), UNKNOWN_BLOCK_RULE);
    expect(() => attention({ name: 'layers.0.match', heads: 2, headDim: 4, mask: byDistance })).toThrow(
      SpecError,
    );
    expect(() => attention({ name: 'layers.0.match', heads: 2, headDim: 4, mask: byDistance })).toThrow(
      /attention "layers\.0\.match": a mask cannot read l1Distance/,
    );
  });
});
