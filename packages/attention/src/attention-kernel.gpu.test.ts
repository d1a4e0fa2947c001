import { type Dim, interpret, symbolicDim } from '@weft/ir';
import { expectClose, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import {
  type AttentionCase,
  buildCase,
  type CaseShape,
  graphOf,
  intTensor,
  referenceOf,
  tensorRef,
} from '../test/attention-case.js';
import { runKernels } from '../test/run-kernels.js';
import { ATTENTION_CATALOG } from './catalog/attention-catalog.js';
import {
  alibi,
  and,
  causal,
  customMask,
  documentMask,
  entmax,
  identity,
  keyPadding,
  type Mask,
  type Normalizer,
  nap,
  reluNormalized,
  reluSquared,
  rope,
  scoreMod,
  sigmoid,
  slidingWindow,
  softcap,
  softmax,
  softplusNormalized,
  sparsemax,
} from './index.js';

/** f32 kernel vs float64 reference: normwise relative error bound. */
const TOLERANCE = 1e-5;
/** With RoPE: f32 sin/cos of angles up to ~40 rad lose a few more bits on SwiftShader. */
const ROPE_TOLERANCE = 2e-4;

async function runOnDevice(testCase: AttentionCase, subgroups = true) {
  const { device } = await getTestDevice();
  const inputs = Object.fromEntries(
    Object.entries(testCase.inputs).map(([name, tensor]) => [name, tensor.data]),
  );
  return runKernels(device, graphOf(testCase), inputs, testCase.dims, { subgroups });
}

const errors: Record<string, number> = {};

async function check(label: string, testCase: AttentionCase, tolerance = TOLERANCE) {
  const { outputs: result, kernels } = await runOnDevice(testCase);
  // O, the log-sum-exp and the row max are written by one kernel, in one pass over the keys.
  expect(kernels).toBe(1);
  const reference = referenceOf(testCase);
  for (const name of Object.keys(reference)) {
    const actual = result[name]!;
    expect(Array.from(actual).some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
    const error = relativeError(actual, reference[name]!);
    errors[`${label} ${name}`] = error;
    expect(error, `${label} ${name}`).toBeLessThan(tolerance);
  }
}

const lengths = tensorRef('lengths', [2], 'i32');
const segments = tensorRef('segments', [2, 37], 'i32');
const headScale = tensorRef('headScale', [4]);

describe('fused attention kernel on a real WebGPU device vs the float64 reference', () => {
  const shapes: [string, CaseShape][] = [
    ['MHA Nq=Nk=37', { batch: 2, heads: 4, kvHeads: 4, queries: 37, keys: 37, headDim: 16, valueDim: 8 }],
    ['GQA Nq=5 Nk=70', { batch: 2, heads: 4, kvHeads: 2, queries: 5, keys: 70, headDim: 8, valueDim: 12 }],
    ['MQA Nq=Nk=1', { batch: 2, heads: 4, kvHeads: 1, queries: 1, keys: 1, headDim: 8, valueDim: 8 }],
  ];
  const masks: [string, Mask | undefined][] = [
    ['none', undefined],
    ['causal', causal()],
    ['sliding(5)', and(causal(), slidingWindow(5))],
  ];
  const normalizers: [string, Normalizer][] = [
    ['softmax', softmax()],
    ['sigmoid', sigmoid()],
    ['reluSquared', reluSquared()],
    ['identity rms', identity({ outputNorm: 'rms' })],
    ['identity layer', identity({ outputNorm: 'layer', epsilon: 1e-3 })],
  ];
  for (const [shapeName, shape] of shapes) {
    for (const [maskName, mask] of masks) {
      for (const [normalizerName, normalizer] of normalizers) {
        it(`${shapeName} × ${maskName} × ${normalizerName}`, async () => {
          await check(
            `${shapeName} ${maskName} ${normalizerName}`,
            buildCase(shape, { ...(mask === undefined ? {} : { mask }), normalizer }, {}, 5),
          );
        });
      }
    }
  }

  const shape: CaseShape = { batch: 2, heads: 4, kvHeads: 2, queries: 37, keys: 37, headDim: 8, valueDim: 8 };
  it('key padding, with the lengths read by the block rule', async () => {
    await check(
      'padding',
      buildCase(shape, { mask: keyPadding(lengths) }, { lengths: { tensor: intTensor([2], [37, 9]) } }, 7),
    );
  });
  it('document mask (sorted segments) with softcap and a per-head custom scale', async () => {
    const ids = Array.from({ length: 74 }, (_, n) => Math.floor(((n % 37) + 3 * Math.floor(n / 37)) / 10));
    const testCase = buildCase(
      shape,
      {
        mask: documentMask(segments, { sorted: true }),
        score: [softcap(2), scoreMod((score, { h }) => score.mul(headScale.at(h)))],
      },
      {
        segments: { tensor: intTensor([2, 37], ids) },
        headScale: { tensor: { shape: [4], dtype: 'f32', data: Float64Array.from([1, 0.5, 2, -1]) } },
      },
      8,
    );
    await check('document+softcap+custom', testCase);
  });
  it('ALiBi, RoPE (interleaved, partial), custom mask, softmax sink and log-sum-exp', async () => {
    const testCase = buildCase(
      { ...shape, queries: 19, keys: 41, headDim: 12 },
      {
        positions: rope({ base: 1000, fraction: 0.5, layout: 'interleaved' }),
        mask: customMask(({ q, k }) => q.add(k).mod(3).ne(0)),
        normalizer: softmax({ sink: 0.5 }),
        outputs: { logSumExp: true },
      },
      {},
      9,
    );
    await check('rope+custom mask+sink+lse', testCase, ROPE_TOLERANCE);
    await check('alibi causal', buildCase(shape, { positions: alibi(), mask: causal() }, {}, 10));
  });
  it('l1 maps, sparsemax and 1.5-entmax (bisection in the kernel)', async () => {
    await check('relu l1', buildCase(shape, { normalizer: reluNormalized(), mask: causal() }, {}, 11));
    await check('softplus l1', buildCase(shape, { normalizer: softplusNormalized() }, {}, 12));
    await check(
      'sparsemax',
      buildCase(shape, { normalizer: sparsemax(), mask: causal(), score: [softcap(20)] }, {}, 13),
    );
    await check(
      'entmax 1.5',
      buildCase({ ...shape, queries: 11, keys: 23 }, { normalizer: entmax({ alpha: 1.5 }) }, {}, 14),
    );
  });
  it('NAP (statistics pass, then output pass) and the row max output', async () => {
    const napGain = tensorRef('napGain', [4]);
    const f32 = (values: number[]) => ({
      tensor: { shape: [4], dtype: 'f32' as const, data: Float64Array.from(values) },
    });
    await check(
      'nap causal',
      buildCase(
        shape,
        { mask: causal(), normalizer: nap({ gain: napGain, bias: 0.05 }), outputs: { rowMax: true } },
        { napGain: f32([1, -0.5, 2, 0.75]) },
        15,
      ),
    );
    await check(
      'nap padding + offset 100',
      buildCase(
        { ...shape, queries: 3, keys: 70 },
        { mask: keyPadding(lengths), normalizer: nap(), score: [scoreMod((score) => score.add(100))] },
        { lengths: { tensor: intTensor([2], [70, 33]) } },
        16,
      ),
      // Scores near 100 carry f32 rounding of 4e-6 (half an ulp), against a score σ of about 0.3.
      2e-4,
    );
    await check(
      'softmax row max + lse',
      buildCase(
        shape,
        { mask: and(causal(), slidingWindow(5)), outputs: { rowMax: true, logSumExp: true } },
        {},
        18,
      ),
    );
  });
  it('one program serves every length up to its maximum (symbolic lengths)', async () => {
    const seq: Dim = symbolicDim('seq', { max: 80 });
    for (const length of [1, 17, 80]) {
      const testCase = buildCase(
        { ...shape, queries: length, keys: length },
        { mask: causal() },
        {},
        20 + length,
        { queries: seq, keys: seq },
      );
      await check(`symbolic seq=${length}`, testCase);
    }
  });
  it('fully masked rows give 0, never NaN; logits near ±1e4 stay finite', async () => {
    const testCase = buildCase(
      shape,
      { mask: keyPadding(lengths), score: [scoreMod((score) => score.mul(3e4))] },
      { lengths: { tensor: intTensor([2], [37, 0]) } },
      30,
    );
    // keyPadding with length 0 masks every key of batch 1.
    const { outputs } = await runOnDevice(testCase);
    const data = outputs.output!;
    const reference = referenceOf(testCase).output!;
    expectClose(data, reference, { rtol: 1e-4, atol: 1e-4, label: 'masked rows and large logits' });
    expect(Array.from(data.slice(data.length / 2)).every((x) => x === 0)).toBe(true);
  });
  it('identity with an output norm: fully masked rows give 0, never NaN (ε = 0 too)', async () => {
    for (const outputNorm of ['rms', 'layer'] as const) {
      const testCase = buildCase(
        shape,
        { mask: keyPadding(lengths), normalizer: identity({ outputNorm, epsilon: 0 }) },
        { lengths: { tensor: intTensor([2], [23, 0]) } },
        31,
      );
      const { outputs } = await runOnDevice(testCase);
      const data = outputs.output!;
      const error = relativeError(data, referenceOf(testCase).output!);
      errors[`identity ${outputNorm} masked rows`] = error;
      expect(error, `identity ${outputNorm} masked rows`).toBeLessThan(TOLERANCE);
      expect(Array.from(data.slice(data.length / 2)).every((x) => x === 0)).toBe(true);
    }
  });
  it('measured errors stay within the tolerances', () => {
    const worst = Math.max(...Object.values(errors));
    console.log(
      `attention kernel: ${Object.keys(errors).length} comparisons, max relative error ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(ROPE_TOLERANCE);
  });
});

// One test per entry: a single loop over the whole catalog grew past a minute on SwiftShader.
describe('ATTENTION_CATALOG entries on the device', () => {
  it.each(ATTENTION_CATALOG.map((entry) => [entry.mechanism, entry] as const))(
    '%s matches the float64 reference',
    async (_mechanism, entry) => {
      const { device } = await getTestDevice();
      const { graph, params, inputs, dims } = entry.build();
      const { outputs } = await runKernels(device, graph, { ...inputs, ...params }, dims);
      const reference = interpret(graph, { inputs, params, dims });
      for (const name of Object.keys(graph.outputs)) {
        const error = relativeError(outputs[name]!, reference[name]!);
        expect(error, `${entry.mechanism} ${name}`).toBeLessThan(ROPE_TOLERANCE);
      }
    },
  );
});
