import { readFileSync } from 'node:fs';
import {
  type AttentionOptions,
  additiveScore,
  alibi,
  anchorBlocks,
  and,
  attention,
  BUILTIN_NORMALIZERS,
  blockCausal,
  blockTable,
  causal,
  chunked,
  documentMask,
  entmax,
  fixedSparse,
  flexPrefillSelection,
  gaussianKernelScore,
  groupedSoftmax,
  identity,
  keyBias,
  keyPadding,
  keySelection,
  lightningDecay,
  maskFrom,
  mobaSelection,
  nap,
  nope,
  not,
  or,
  overlappingChunks,
  patternInjectedHeads,
  pLaplacian,
  polynomialNormalized,
  prefixLM,
  probabilisticAttentionScore,
  qkNorm,
  reluNormalized,
  reluSquared,
  rope,
  scale,
  sigmoid,
  slidingWindow,
  softcap,
  softmax,
  softplusNormalized,
  sparsemax,
  stridedSparse,
  topTheta,
  weightedGqa,
} from '@weft/attention';
import { type TensorRef, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionFromJSON } from './attention-json.js';
import { attentionHash, kindsIn, SIZES } from './attention-json.test-support.js';
import { MASK_KINDS } from './mask-json.js';
import { NORMALIZER_KINDS } from './normalizer-json.js';
import { POSITION_KINDS } from './position-json.js';
import { SCORE_MOD_KINDS } from './score-json.js';

const { batch, heads: H, length: N, dim: D } = SIZES;

/** A tensor reference and its JSON form. */
function tensor(name: string, shape: readonly number[], dtype: 'f32' | 'i32' = 'f32') {
  return {
    ref: tensorRef(name, shape, dtype),
    json: dtype === 'f32' ? { tensor: name, shape: [...shape] } : { tensor: name, shape: [...shape], dtype },
  };
}

const sink = tensor('sink', [H]);
const gain = tensor('gain', [1]);
const temperature = tensor('temperature', [H]);
const bias = tensor('keyBias', [N]);
const slopes = tensor('slopes', [H]);
const norms = tensor('normSquared', [batch, H, N]);
const precision = tensor('precision', [batch, H, N]);
const logPrior = tensor('logPrior', [batch, H, N]);
const additiveQuery = tensor('additiveQuery', [batch, H, N, 4]);
const additiveKey = tensor('additiveKey', [batch, H, N, 4]);
const additiveWeights = tensor('additiveWeights', [H, 4]);
const tokenIds = tensor('tokenIds', [batch, N], 'i32');
const sentenceIds = tensor('sentenceIds', [batch, N], 'i32');
// Block tables of one block of 32 (N = 24); MoBA's own tables bound by name, so the graph is built
// without the routing ops (which need N a multiple of the block size).
const table = tensor('table', [batch, H, 1, 1], 'i32');
const tokens = tensor('tokens', [batch, H, N, 1], 'i32');
const mobaTable = tensor('moba.table', [batch, H, 1, 1], 'i32');
const mobaTokens = tensor('moba.tokens', [batch, H, N, 1], 'i32');
const flexTable = tensor('flexPrefill.table', [batch, H, 1, 1], 'i32');
const segments = tensor('segments', [batch, N], 'i32');
const keySegments = tensor('keySegments', [batch, N], 'i32');
const lengths = tensor('lengths', [batch], 'i32');
const keep = tensor('keep', [N, N]);
const selected = tensor('selected', [batch, N], 'i32');
const theta = tensor('theta', [H]);
const alpha = tensor('alpha', [H]);
const napGain = tensor('napGain', [H]);
const features = tensor('features', [batch, H, N, D]);

interface Case {
  readonly name: string;
  readonly json: Record<string, unknown>;
  readonly options: AttentionOptions;
  readonly tensors?: readonly { readonly ref: TensorRef }[];
}

const base = { heads: H, headDim: D } as const;

/** One case per kind of the vocabulary (and per option form), JSON next to the TypeScript builders. */
const CASES: readonly Case[] = [
  { name: 'heads only', json: { ...base }, options: { ...base } },
  {
    name: 'kv, value heads and dims',
    json: { heads: H, kvHeads: 2, valueHeads: 4, headDim: 8, valueDim: D },
    options: { heads: H, kvHeads: 2, valueHeads: 4, headDim: 8, valueDim: D },
  },
  {
    name: 'weightedGqa',
    json: { heads: { kind: 'weightedGqa', heads: H, kvHeads: 2, weights: 'learned' }, headDim: D },
    options: { heads: weightedGqa({ heads: H, kvHeads: 2, weights: 'learned' }), headDim: D },
  },
  { name: 'rope', json: { ...base, positions: { kind: 'rope' } }, options: { ...base, positions: rope() } },
  {
    name: 'rope partial interleaved',
    json: { ...base, positions: { kind: 'rope', base: 500_000, fraction: 0.5, layout: 'interleaved' } },
    options: { ...base, positions: rope({ base: 500_000, fraction: 0.5, layout: 'interleaved' }) },
  },
  {
    name: 'rope 2-D grid',
    json: { ...base, positions: { kind: 'rope', dims: 2, grid: [4, 6], base: 100 } },
    options: { ...base, positions: rope({ dims: 2, grid: [4, 6], base: 100 }) },
  },
  {
    name: 'alibi',
    json: { ...base, positions: { kind: 'alibi' } },
    options: { ...base, positions: alibi() },
  },
  {
    name: 'alibi causal form, slopes',
    json: { ...base, positions: { kind: 'alibi', form: 'causal', slopes: slopes.json } },
    options: { ...base, positions: alibi({ form: 'causal', slopes: slopes.ref }) },
    tensors: [slopes],
  },
  { name: 'nope', json: { ...base, positions: { kind: 'nope' } }, options: { ...base, positions: nope() } },
  { name: 'qkNorm', json: { ...base, qkNorm: {} }, options: { ...base, qkNorm: qkNorm() } },
  {
    name: 'qkNorm l2 unscaled',
    json: { ...base, qkNorm: { kind: 'l2', scale: 'none' } },
    options: { ...base, qkNorm: qkNorm({ kind: 'l2', scale: 'none' }) },
  },
  {
    name: 'qkNorm layer with bias',
    json: { ...base, qkNorm: { kind: 'layer', scale: 'vector', eps: 1e-6, bias: true } },
    options: { ...base, qkNorm: qkNorm({ kind: 'layer', scale: 'vector', eps: 1e-6, bias: true }) },
  },
  {
    name: 'scale number, softcap (one mod, not a list)',
    json: { ...base, score: { kind: 'softcap', cap: 30 } },
    options: { ...base, score: softcap(30) },
  },
  {
    name: 'scale tensors, keyBias',
    json: {
      ...base,
      score: [
        { kind: 'scale', value: 0.25 },
        { kind: 'scale', value: gain.json },
        { kind: 'scale', value: temperature.json },
        { kind: 'keyBias', bias: bias.json },
      ],
    },
    options: { ...base, score: [scale(0.25), scale(gain.ref), scale(temperature.ref), keyBias(bias.ref)] },
    tensors: [gain, temperature, bias],
  },
  {
    name: 'lightningDecay',
    json: {
      ...base,
      score: [
        { kind: 'scale', value: 1 },
        { kind: 'lightningDecay', slopes: slopes.json },
      ],
    },
    options: { ...base, score: [scale(1), lightningDecay(slopes.ref)] },
    tensors: [slopes],
  },
  {
    name: 'gaussianKernelScore (a list of mods)',
    json: {
      ...base,
      score: [{ kind: 'gaussianKernelScore', queryNormSquared: norms.json, keyNormSquared: norms.json }],
    },
    options: {
      ...base,
      score: gaussianKernelScore({ queryNormSquared: norms.ref, keyNormSquared: norms.ref }),
    },
    tensors: [norms],
  },
  {
    name: 'probabilisticAttentionScore, then softcap',
    json: {
      ...base,
      score: [
        {
          kind: 'probabilisticAttentionScore',
          precision: precision.json,
          logPrior: logPrior.json,
          queryNormSquared: norms.json,
          keyNormSquared: norms.json,
        },
        { kind: 'softcap', cap: 50 },
      ],
    },
    options: {
      ...base,
      score: [
        ...probabilisticAttentionScore({
          precision: precision.ref,
          logPrior: logPrior.ref,
          queryNormSquared: norms.ref,
          keyNormSquared: norms.ref,
        }),
        softcap(50),
      ],
    },
    tensors: [precision, logPrior, norms],
  },
  {
    name: 'additiveScore (relu), per key head',
    json: {
      ...base,
      score: {
        kind: 'additiveScore',
        queryProjection: additiveQuery.json,
        keyProjection: additiveKey.json,
        weights: additiveWeights.json,
        activation: 'relu',
      },
    },
    options: {
      ...base,
      score: additiveScore({
        queryProjection: additiveQuery.ref,
        keyProjection: additiveKey.ref,
        weights: additiveWeights.ref,
        activation: 'relu',
      }),
    },
    tensors: [additiveQuery, additiveKey, additiveWeights],
  },
  {
    name: 'patternInjectedHeads (score and mask)',
    json: {
      ...base,
      score: {
        kind: 'patternInjectedHeads',
        patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'],
        tokenIds: tokenIds.json,
        sentenceIds: sentenceIds.json,
      },
      mask: {
        kind: 'patternInjectedHeads',
        patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'],
        tokenIds: tokenIds.json,
        sentenceIds: sentenceIds.json,
      },
    },
    options: (() => {
      const parts = patternInjectedHeads({
        patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'],
        tokenIds: tokenIds.ref,
        sentenceIds: sentenceIds.ref,
      });
      return { ...base, score: parts.score, mask: parts.mask };
    })(),
    tensors: [tokenIds, sentenceIds],
  },
  { name: 'causal', json: { ...base, mask: { kind: 'causal' } }, options: { ...base, mask: causal() } },
  {
    name: 'causal top-left',
    json: { ...base, mask: { kind: 'causal', align: 'top-left' } },
    options: { ...base, mask: causal({ align: 'top-left' }) },
  },
  {
    name: 'slidingWindow, prefixLM, chunked, blockCausal, anchorBlocks, stridedSparse, fixedSparse, overlappingChunks under or/and/not',
    json: {
      ...base,
      mask: {
        kind: 'or',
        masks: [
          {
            kind: 'and',
            masks: [
              { kind: 'slidingWindow', window: 8, align: 'top-left' },
              { kind: 'prefixLM', prefix: 3 },
            ],
          },
          { kind: 'not', mask: { kind: 'chunked', size: 5 } },
          { kind: 'blockCausal', size: 6 },
          { kind: 'anchorBlocks', size: 4, align: 'top-left' },
          { kind: 'stridedSparse', stride: 4 },
          { kind: 'fixedSparse', stride: 6, summary: 2, align: 'bottom-right' },
          { kind: 'overlappingChunks', size: 5, overlap: 2, align: 'top-left' },
        ],
      },
    },
    options: {
      ...base,
      mask: or(
        and(slidingWindow(8, { align: 'top-left' }), prefixLM(3)),
        not(chunked(5)),
        blockCausal(6),
        anchorBlocks(4, { align: 'top-left' }),
        stridedSparse(4),
        fixedSparse(6, 2, { align: 'bottom-right' }),
        overlappingChunks(5, 2, { align: 'top-left' }),
      ),
    },
  },
  {
    name: 'documentMask, keyPadding, maskFrom, keySelection',
    json: {
      ...base,
      mask: {
        kind: 'and',
        masks: [
          { kind: 'documentMask', segmentIds: segments.json, keySegmentIds: keySegments.json, sorted: true },
          { kind: 'documentMask', segmentIds: segments.json },
          { kind: 'keyPadding', lengths: lengths.json },
          { kind: 'maskFrom', tensor: keep.json },
          { kind: 'maskFrom', tensor: keep.json, skipEmptyTiles: true },
          { kind: 'keySelection', selected: selected.json, prefix: 2 },
        ],
      },
    },
    options: {
      ...base,
      mask: and(
        documentMask(segments.ref, { keySegmentIds: keySegments.ref, sorted: true }),
        documentMask(segments.ref),
        keyPadding(lengths.ref),
        maskFrom(keep.ref),
        maskFrom(keep.ref, { skipEmptyTiles: true }),
        keySelection(selected.ref, { prefix: 2 }),
      ),
    },
    tensors: [segments, keySegments, lengths, keep, selected],
  },
  {
    name: 'blockTable, mobaSelection',
    json: {
      ...base,
      mask: {
        kind: 'and',
        masks: [
          { kind: 'blockTable', table: table.json, blockSize: 32, tokens: tokens.json },
          { kind: 'mobaSelection', blockSize: 64, topK: 3, gate: 'token', name: 'moba' },
        ],
      },
    },
    options: {
      ...base,
      mask: and(
        blockTable(table.ref, { blockSize: 32, tokens: tokens.ref }),
        mobaSelection({ blockSize: 64, topK: 3, gate: 'token', name: 'moba' }),
      ),
    },
    tensors: [table, tokens, mobaTable, mobaTokens],
  },
  {
    name: 'flexPrefillSelection',
    json: { ...base, mask: { kind: 'flexPrefillSelection', blockSize: 32, gamma: 0.7, tau: 0.1 } },
    options: { ...base, mask: flexPrefillSelection({ blockSize: 32, gamma: 0.7, tau: 0.1 }) },
    tensors: [flexTable],
  },
  {
    name: 'softmax with a sink, log-sum-exp and row max',
    json: {
      ...base,
      normalizer: { kind: 'softmax', sink: sink.json },
      outputs: { logSumExp: true, rowMax: true },
    },
    options: { ...base, normalizer: softmax({ sink: sink.ref }), outputs: { logSumExp: true, rowMax: true } },
    tensors: [sink],
  },
  {
    name: 'softmax, sink 0',
    json: { ...base, normalizer: { kind: 'softmax', sink: 0 } },
    options: { ...base, normalizer: softmax({ sink: 0 }) },
  },
  {
    name: 'sigmoid',
    json: { ...base, normalizer: { kind: 'sigmoid' } },
    options: { ...base, normalizer: sigmoid() },
  },
  {
    name: 'sigmoid with a bias',
    json: { ...base, normalizer: { kind: 'sigmoid', bias: -3 } },
    options: { ...base, normalizer: sigmoid({ bias: -3 }) },
  },
  {
    name: 'reluSquared',
    json: { ...base, normalizer: { kind: 'reluSquared' } },
    options: { ...base, normalizer: reluSquared() },
  },
  {
    name: 'reluNormalized',
    json: { ...base, normalizer: { kind: 'reluNormalized' } },
    options: { ...base, normalizer: reluNormalized() },
  },
  {
    name: 'softplusNormalized (LSSAR)',
    json: {
      ...base,
      mask: { kind: 'causal' },
      normalizer: {
        kind: 'softplusNormalized',
        lengthScale: 'log',
        reweight: { form: 'reluPower', power: 3 },
      },
    },
    options: {
      ...base,
      mask: causal(),
      normalizer: softplusNormalized({ lengthScale: 'log', reweight: { form: 'reluPower', power: 3 } }),
    },
  },
  {
    name: 'softplusNormalized with a log base',
    json: { ...base, normalizer: { kind: 'softplusNormalized', lengthScale: 512 } },
    options: { ...base, normalizer: softplusNormalized({ lengthScale: 512 }) },
  },
  {
    name: 'polynomialNormalized',
    json: { ...base, normalizer: { kind: 'polynomialNormalized', degree: 1 } },
    options: { ...base, normalizer: polynomialNormalized({ degree: 1 }) },
  },
  {
    name: 'topTheta',
    json: { ...base, normalizer: { kind: 'topTheta', threshold: theta.json, compensation: 'valueMean' } },
    options: { ...base, normalizer: topTheta({ threshold: theta.ref, compensation: 'valueMean' }) },
    tensors: [theta],
  },
  {
    name: 'entmax learned',
    json: { ...base, normalizer: { kind: 'entmax', alpha: alpha.json } },
    options: { ...base, normalizer: entmax({ alpha: alpha.ref }) },
    tensors: [alpha],
  },
  {
    name: 'entmax 1.5',
    json: { ...base, normalizer: { kind: 'entmax', alpha: 1.5 } },
    options: { ...base, normalizer: entmax({ alpha: 1.5 }) },
  },
  {
    name: 'sparsemax',
    json: { ...base, normalizer: { kind: 'sparsemax' } },
    options: { ...base, normalizer: sparsemax() },
  },
  {
    name: 'nap',
    json: { ...base, normalizer: { kind: 'nap', gain: napGain.json, bias: 0.1, epsilon: 1e-4 } },
    options: { ...base, normalizer: nap({ gain: napGain.ref, bias: 0.1, epsilon: 1e-4 }) },
    tensors: [napGain],
  },
  {
    name: 'identity',
    json: { ...base, normalizer: { kind: 'identity', outputNorm: 'layer', epsilon: 0 } },
    options: { ...base, normalizer: identity({ outputNorm: 'layer', epsilon: 0 }) },
  },
  {
    name: 'groupedSoftmax',
    json: { ...base, normalizer: { kind: 'groupedSoftmax', blockSize: 5 } },
    options: { ...base, normalizer: groupedSoftmax({ blockSize: 5 }) },
  },
  {
    name: 'pLaplacian',
    json: {
      ...base,
      normalizer: {
        kind: 'pLaplacian',
        features: features.json,
        p: 1.5,
        mu: 0.5,
        epsilon: 1e-5,
        anchorScale: 4,
      },
    },
    options: {
      ...base,
      normalizer: pLaplacian({ features: features.ref, p: 1.5, mu: 0.5, epsilon: 1e-5, anchorScale: 4 }),
    },
    tensors: [features],
  },
];

describe('attentionFromJSON: the vocabulary', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: JSON builds the graph of the TypeScript builders',
    (_, c) => {
      const refs = (c.tensors ?? []).map((t) => t.ref);
      const fromJSON = attentionFromJSON(JSON.parse(JSON.stringify(c.json)), { name: 'layers.0.attn' });
      const fromBuilders = attention({ ...c.options, name: 'layers.0.attn' });
      expect(attentionHash(fromJSON, refs)).toBe(attentionHash(fromBuilders, refs));
      expect(fromJSON.mask?.description).toBe(fromBuilders.mask?.description);
      expect(fromJSON.score.map((mod) => mod.description)).toEqual(
        fromBuilders.score.map((mod) => mod.description),
      );
      expect(fromJSON.normalizer.name).toBe(fromBuilders.normalizer.name);
    },
  );

  it('tells specs apart (the hash is not blind to options)', () => {
    const json = attentionFromJSON({ ...base, score: [{ kind: 'softcap', cap: 50 }] });
    expect(attentionHash(json)).not.toBe(attentionHash(attention({ ...base, score: [softcap(30)] })));
    expect(attentionHash(json)).toBe(attentionHash(attention({ ...base, score: [softcap(50)] })));
  });

  it('covers every kind of the vocabulary', () => {
    const used = new Set(CASES.flatMap((c) => [...kindsIn(c.json)]));
    for (const kind of [
      ...POSITION_KINDS,
      ...SCORE_MOD_KINDS,
      ...MASK_KINDS,
      ...NORMALIZER_KINDS,
      'weightedGqa',
    ])
      expect(used, kind).toContain(kind);
  });

  it('reaches every built-in normalizer def', () => {
    const reached = new Set(
      CASES.flatMap((c) =>
        c.json.normalizer === undefined ? [] : [attention(c.options).normalizer.def.name],
      ),
    );
    expect([...reached].sort()).toEqual(BUILTIN_NORMALIZERS.map((def) => def.name).sort());
  });

  it('has a kind for every built-in mask, position and score mod builder of @weft/attention', () => {
    const exported = (file: string) =>
      [
        ...readFileSync(new URL(`../../../../attention/src/${file}`, import.meta.url), 'utf8').matchAll(
          /^export function (\w+)/gm,
        ),
      ].map((match) => match[1]!);
    const notParts = [
      'customMask',
      'checkBlockRule',
      'rotaryDims',
      'alibiBias',
      'scoreMod',
      'lightningSlopes',
      'blockTableMask',
      'mobaBlockTables',
      'maskTileTable',
    ];
    const builders = (files: readonly string[]) =>
      files.flatMap(exported).filter((name) => !notParts.includes(name));
    expect(MASK_KINDS).toEqual(
      expect.arrayContaining(
        builders([
          'masks/builtin-masks.ts',
          'masks/combine-masks.ts',
          'masks/block-table.ts',
          'masks/moba-selection.ts',
          'masks/mask-from.ts',
        ]),
      ),
    );
    expect(POSITION_KINDS).toEqual(expect.arrayContaining(builders(['spec/positions.ts'])));
    expect(SCORE_MOD_KINDS).toEqual(
      expect.arrayContaining(
        builders([
          'spec/score-mods.ts',
          'spec/lightning-decay.ts',
          'spec/gaussian-kernel-score.ts',
          'spec/additive-score.ts',
          'spec/probabilistic-attention-score.ts',
          'spec/pattern-injected-heads.ts',
        ]),
      ),
    );
  });
});
