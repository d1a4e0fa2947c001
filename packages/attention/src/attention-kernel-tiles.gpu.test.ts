import { randomTensor } from '@weft/ir/test';
import { afterAll, describe, expect, it } from 'vitest';
import { type AttentionCase, buildCase, type CaseShape, referenceOf } from '../test/attention-case.js';
import { expectWithin, runCase } from '../test/run-case.js';
import { causal, qkNorm, rope, sigmoid, slidingWindow } from './index.js';

/** f32 kernel vs the float64 reference, normwise relative error (as in the other kernel tests). */
const TOLERANCE = 1e-5;
/** With RoPE: f32 sin/cos of large angles lose a few bits on SwiftShader. */
const ROPE_TOLERANCE = 2e-4;

const errors: Record<string, number> = {};

/** Runs one case on the tiled kernel with NaN-poisoned outputs and checks it against the reference. */
async function check(label: string, testCase: AttentionCase, tolerance: number) {
  const { outputs, wgsl } = await runCase(testCase);
  // The tiled kernel (not split keys), with K and V staged as vec4s — or, where the subgroup is the
  // whole workgroup (the several-rows kernel of a software adapter), read from K and V by its lanes.
  for (const text of wgsl) expect(text.includes('part_acc'), label).toBe(false);
  const direct = wgsl.some((text) => text.includes('fn key_vector('));
  for (const tile of ['key_tile', 'value_tile']) {
    const staged = wgsl.some((text) => text.includes(`${tile}: array<vec4<f32>`));
    expect(staged, `${label} ${tile}`).toBe(!direct);
  }
  const reference = referenceOf(testCase);
  for (const name of Object.keys(reference))
    expectWithin(errors, `${label} ${name}`, outputs[name]!, reference[name]!, tolerance);
}

const gammas = (block: string, headDim: number) => ({
  [`${block}.qNorm.gamma`]: {
    tensor: randomTensor([headDim], { seed: 71, min: 0.5, max: 1.5 }),
    param: true,
  },
  [`${block}.kNorm.gamma`]: {
    tensor: randomTensor([headDim], { seed: 72, min: 0.5, max: 1.5 }),
    param: true,
  },
});

describe('tiled attention kernel: vec4 K/V tiles, 32-row query blocks, ragged lengths', () => {
  afterAll(() => {
    console.log('tile-layout kernel errors:', errors);
  });

  // Head and value dims that are not multiples of 4 pad the vec4 rows with zeros; 45 and 70 keys leave a
  // partial last tile, and 70 queries a partial last query block.
  const shapes: [string, CaseShape][] = [
    ['d=6 v=5 N=45', { batch: 1, heads: 2, kvHeads: 2, queries: 45, keys: 45, headDim: 6, valueDim: 5 }],
    ['d=10 v=7 N=70', { batch: 2, heads: 4, kvHeads: 2, queries: 70, keys: 70, headDim: 10, valueDim: 7 }],
  ];
  for (const [name, shape] of shapes) {
    it(`${name}: causal softmax`, async () => {
      await check(`${name} causal`, buildCase(shape, { mask: causal() }, {}, 81), TOLERANCE);
    });
    it(`${name}: sliding window, sigmoid (partial tiles off the diagonal)`, async () => {
      await check(
        `${name} window sigmoid`,
        buildCase(shape, { mask: slidingWindow(9), normalizer: sigmoid() }, {}, 82),
        TOLERANCE,
      );
    });
    it(`${name}: RoPE (half layout, element-wise key loads), causal`, async () => {
      await check(
        `${name} rope`,
        buildCase(shape, { positions: rope({ base: 100 }), mask: causal() }, {}, 83),
        ROPE_TOLERANCE,
      );
    });
    it(`${name}: RMS QK norm and RoPE (whole-row key loads), causal`, async () => {
      await check(
        `${name} qknorm rope`,
        buildCase(
          shape,
          { name: 'attn', positions: rope({ base: 100 }), qkNorm: qkNorm({ kind: 'rms' }), mask: causal() },
          gammas('attn', shape.headDim),
          84,
        ),
        ROPE_TOLERANCE,
      );
    });
  }
});
