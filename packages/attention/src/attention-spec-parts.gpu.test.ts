import { randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { type AttentionCase, buildCase, type CaseShape, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { causal, type QkNormKind, type QkNormScale, qkNorm, rope, sigmoid, weightedGqa } from './index.js';

/** f32 kernels vs the float64 reference, normwise relative error (measured ≤ 5e-7 without RoPE). */
const TOLERANCE = 2e-6;
/** With RoPE: f32 sin/cos of large angles lose a few bits on SwiftShader (as in the other kernel tests). */
const ROPE_TOLERANCE = 2e-4;

const errors: Record<string, number> = {};

/** Runs one case with NaN-poisoned outputs; checks the strategy (split keys or tiled) and the error. */
async function check(label: string, testCase: AttentionCase, split: boolean, tolerance: number) {
  const { outputs, wgsl } = await runCase(testCase);
  for (const text of wgsl) expect(text.includes('part_acc'), `${label}: split keys = ${split}`).toBe(split);
  const reference = referenceOf(testCase);
  for (const name of Object.keys(reference))
    expectWithin(errors, `${label} ${name}`, outputs[name]!, reference[name]!, tolerance);
}

/** Prefill (tiled kernel) and decode (split-keys kernel) shapes. */
const SHAPES: [string, CaseShape, boolean][] = [
  [
    'tiled Nq=19 Nk=41',
    { batch: 2, heads: 4, kvHeads: 2, queries: 19, keys: 41, headDim: 12, valueDim: 8 },
    false,
  ],
  [
    'split Nq=1 Nk=70',
    { batch: 2, heads: 4, kvHeads: 2, queries: 1, keys: 70, headDim: 12, valueDim: 8 },
    true,
  ],
];

describe('QK norm, weighted GQA and 2-D RoPE in the fused kernels vs the float64 reference', () => {
  afterAll(() => {
    console.log('spec-part kernel errors:', errors);
  });

  const norms: [QkNormKind, QkNormScale, boolean][] = [
    ['l2', 'scalar', false],
    ['rms', 'vector', false],
    ['layer', 'vector', true],
  ];
  for (const [shapeName, shape, split] of SHAPES) {
    for (const [kind, scale, bias] of norms) {
      it(`${shapeName}: ${kind} QK norm (${scale}${bias ? ' + bias' : ''}), causal`, async () => {
        const size = scale === 'vector' ? shape.headDim : 1;
        const owned = (name: string, tensor: ReturnType<typeof randomTensor>) => ({
          [`attn.${name}`]: { tensor, param: true },
        });
        const testCase = buildCase(
          shape,
          {
            name: 'attn',
            qkNorm: qkNorm({ kind, scale, bias }),
            mask: causal(),
          },
          {
            ...owned('qNorm.gamma', randomTensor([size], { seed: 51, min: 0.5, max: 1.5 })),
            ...owned('kNorm.gamma', randomTensor([size], { seed: 52, min: 0.5, max: 1.5 })),
            ...(bias
              ? {
                  ...owned('qNorm.beta', randomTensor([shape.headDim], { seed: 53 })),
                  ...owned('kNorm.beta', randomTensor([shape.headDim], { seed: 54 })),
                }
              : {}),
          },
          21,
        );
        await check(`${shapeName} ${kind}`, testCase, split, TOLERANCE);
      });
    }

    it(`${shapeName}: weighted GQA (3 KV heads mixed into 4) with RMS QK norm, sigmoid`, async () => {
      const testCase = buildCase(
        { ...shape, kvHeads: 3 },
        {
          name: 'wgqa',
          heads: weightedGqa({ heads: 4, kvHeads: 3, weights: 'learned' }),
          qkNorm: qkNorm({ kind: 'rms', scale: 'none' }),
          normalizer: sigmoid(),
        },
        { 'wgqa.kvWeights': { tensor: randomTensor([4, 3], { seed: 61 }), param: true } },
        22,
      );
      await check(`${shapeName} wgqa`, testCase, split, TOLERANCE);
    });

    it(`${shapeName}: weighted GQA without QK norm (element-wise key loads)`, async () => {
      const testCase = buildCase(
        shape,
        { name: 'w', heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }), mask: causal() },
        { 'w.kvWeights': { tensor: randomTensor([4, 2], { seed: 62 }), param: true } },
        23,
      );
      await check(`${shapeName} wgqa plain`, testCase, split, TOLERANCE);
    });
  }

  const grids: [string, CaseShape, [number, number], boolean][] = [
    [
      'tiled 5×9',
      { batch: 1, heads: 2, kvHeads: 2, queries: 45, keys: 45, headDim: 16, valueDim: 8 },
      [5, 9],
      false,
    ],
    [
      'tiled 7×3, cross',
      { batch: 2, heads: 2, kvHeads: 1, queries: 6, keys: 21, headDim: 8, valueDim: 8 },
      [7, 3],
      false,
    ],
    [
      'split 4×17',
      { batch: 1, heads: 2, kvHeads: 1, queries: 2, keys: 68, headDim: 8, valueDim: 8 },
      [4, 17],
      true,
    ],
  ];
  for (const [label, shape, grid, split] of grids) {
    for (const layout of ['half', 'interleaved'] as const) {
      it(`2-D RoPE ${label} (${layout})`, async () => {
        const testCase = buildCase(shape, { positions: rope({ dims: 2, grid, layout }) }, {}, 24);
        await check(`2-D RoPE ${label} ${layout}`, testCase, split, ROPE_TOLERANCE);
      });
    }
  }
  const together: [string, CaseShape, boolean][] = [
    ['tiled', { batch: 1, heads: 4, kvHeads: 2, queries: 12, keys: 12, headDim: 8, valueDim: 8 }, false],
    ['split', { batch: 1, heads: 4, kvHeads: 2, queries: 1, keys: 48, headDim: 8, valueDim: 8 }, true],
  ];
  for (const [label, shape, split] of together) {
    it(`weighted GQA, then layer QK norm, then 2-D RoPE (${label})`, async () => {
      const testCase = buildCase(
        shape,
        {
          name: 'all',
          heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }),
          qkNorm: qkNorm({ kind: 'layer', scale: 'vector' }),
          positions: rope({ dims: 2, grid: [3, shape.keys / 3] }),
        },
        {
          'all.kvWeights': { tensor: randomTensor([4, 2], { seed: 71 }), param: true },
          'all.qNorm.gamma': { tensor: randomTensor([8], { seed: 72 }), param: true },
          'all.kNorm.gamma': { tensor: randomTensor([8], { seed: 73 }), param: true },
        },
        25,
      );
      await check(`all three ${label}`, testCase, split, ROPE_TOLERANCE);
    });
  }
});
