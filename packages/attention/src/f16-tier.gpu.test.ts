import { roundToDType, type Tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttentionCase,
  buildCase,
  type CaseShape,
  graphOf,
  referenceOf,
} from '../test/attention-case.js';
import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from '../test/attention-wgsl-cases.js';
import { runKernels } from '../test/run-kernels.js';
import { causal, qkNorm, sigmoid } from './index.js';

// The f16 tier's attention numerics, through its emulation (`precision: 'f16-emulated'`: the same
// kernels as `f16`, f32 storage, every f16-stored value rounded by quantizeToF16) on any device,
// and the real f16 kernels where the device has shader-f16. Inputs are rounded to f16 first (they
// are f16 tensors); the reference is the float64 interpreter on those values. Outputs poisoned.
/** The f16 tier's budget: max-norm relative error vs float64 (f16 storage: ≈ 4.9e-4 per rounding). */
const F16_BUDGET = 2e-3;
const F16_MAX = 65504;
/** The kernels' Q pre-scale: the power of two nearest 1/√d (`queryPrescale`, checked in f16-tier-wgsl.test.ts). */
const QUERY_PRESCALE: Readonly<Record<number, number>> = { 32: 0.25, 64: 0.125 };

const errors: Record<string, string> = {};
afterAll(() => console.info(`f16 tier attention errors vs float64:\n${JSON.stringify(errors, null, 1)}`));

function toF16(tensor: Tensor64): Tensor64 {
  return { ...tensor, data: tensor.data.map((value) => roundToDType(value, 'f16')) };
}

/** The case with q, k, v drawn from [-magnitude, magnitude] and rounded to f16. */
function f16Case(testCase: AttentionCase, magnitude: number, seed: number): AttentionCase {
  const inputs = { ...testCase.inputs };
  for (const [offset, name] of ['q', 'k', 'v'].entries()) {
    const tensor = testCase.inputs[name]!;
    const scale = name === 'v' ? 1 : magnitude;
    inputs[name] = toF16(randomTensor(tensor.shape, { seed: seed + offset, min: -scale, max: scale }));
  }
  return { ...testCase, inputs };
}

/** Runs the case's kernels; `hardware` generates them for a hardware GPU's profile (one row per invocation). */
async function errorOf(testCase: AttentionCase, precision: 'f32' | 'f16' | 'f16-emulated', hardware = false) {
  const weft = await getTestDevice();
  const device = hardware ? { ...weft, adapter: { ...weft.adapter, software: false } } : weft;
  const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
  const { outputs, wgsl } = await runKernels(device, graphOf(testCase), inputs, testCase.dims, { precision });
  const actual = outputs.output!;
  expect(
    Array.from(actual).some((value) => !Number.isFinite(value)),
    'a non-finite output',
  ).toBe(false);
  return { error: relativeError(actual, referenceOf(testCase).output!), wgsl };
}

const shape = (queries: number, keys: number, headDim: number): CaseShape => ({
  batch: 1,
  heads: 2,
  kvHeads: 2,
  queries,
  keys,
  headDim,
  valueDim: headDim,
});

const CASES: [string, CaseShape, Parameters<typeof buildCase>[1], number][] = [
  ['softmax N=64 d=32', shape(64, 64, 32), {}, 3],
  ['softmax causal N=128 d=64', shape(128, 128, 64), { mask: causal() }, 3],
  ['softmax N=256 d=64', shape(256, 256, 64), {}, 2],
  ['softmax causal N=256 d=32', shape(256, 256, 32), { mask: causal() }, 3],
  ['sigmoid N=128 d=32 (one row per invocation)', shape(128, 128, 32), { normalizer: sigmoid() }, 2],
  ['softmax QK norm N=64 d=32 (whole key rows)', shape(64, 64, 32), { qkNorm: qkNorm({ scale: 'none' }) }, 3],
  ['softmax decode 1 query, 256 keys d=64 (split keys)', shape(1, 256, 64), {}, 3],
];

describe('f16 tier, emulated: attention vs float64', () => {
  it('softmax causal N=128 d=64, hardware-GPU kernels (one row per invocation): within budget', {
    timeout: 300_000,
  }, async () => {
    const testCase = f16Case(buildCase(shape(128, 128, 64), { mask: causal() }), 3, 13);
    const { error, wgsl } = await errorOf(testCase, 'f16-emulated', true);
    errors['softmax causal N=128 d=64 (hardware kernels)'] = `f16-emulated ${error.toExponential(2)}`;
    for (const text of wgsl) expect(text).not.toContain('fn start_rows(');
    expect(error).toBeLessThan(F16_BUDGET);
    expect(error).toBeGreaterThan(1e-4);
  });

  for (const [label, caseShape, options, magnitude] of CASES) {
    it(`${label}: within ${F16_BUDGET}`, { timeout: 300_000 }, async () => {
      const testCase = f16Case(buildCase(caseShape, options), magnitude, 11);
      const { error, wgsl } = await errorOf(testCase, 'f16-emulated');
      errors[label] = `f16-emulated ${error.toExponential(2)}`;
      for (const text of wgsl) expect(text).toContain('quantizeToF16');
      expect(error).toBeLessThan(F16_BUDGET);
      // The rounding is there: the f32 kernels' error on these cases is below 1e-6.
      expect(error).toBeGreaterThan(1e-4);
    });
  }

  it('large-magnitude Q and K: an f16 QKᵀ without the pre-scale overflows; the tier stays in budget', {
    timeout: 300_000,
  }, async () => {
    for (const headDim of [32, 64]) {
      const testCase = f16Case(buildCase(shape(256, 256, headDim), {}), 100, 29);
      const { q, k } = testCase.inputs as { q: Tensor64; k: Tensor64 };
      const scale = QUERY_PRESCALE[headDim]!;
      const unscaled = f16DotOverflows(q, k, headDim, 1);
      const prescaled = f16DotOverflows(q, k, headDim, scale);
      // The class of failure: QKᵀ accumulated in f16 reaches ±∞ (then NaN after the max subtraction).
      expect(unscaled, `d=${headDim}: pairs whose unscaled f16 QKᵀ overflows`).toBeGreaterThan(0);
      expect(prescaled, `d=${headDim}: pairs whose pre-scaled f16 QKᵀ overflows`).toBe(0);
      const { error } = await errorOf(testCase, 'f16-emulated');
      errors[`large |q|,|k| ≤ 100 N=256 d=${headDim}`] =
        `f16-emulated ${error.toExponential(2)}; f16 QKᵀ overflows for ${unscaled} pairs unscaled, 0 pre-scaled by ${scale}`;
      expect(error).toBeLessThan(F16_BUDGET);
    }
  });
});

/**
 * Pairs (query, key) whose dot product of `scale`·q and k, accumulated in f16 (each product and
 * partial sum rounded to f16, as an f16 QKᵀ does), overflows f16. Batch 1; heads share the layout.
 */
function f16DotOverflows(q: Tensor64, k: Tensor64, headDim: number, scale: number): number {
  const h16 = (value: number) => roundToDType(value, 'f16');
  const rows = (tensor: Tensor64) => tensor.data.length / headDim;
  const [heads, queries, keys] = [q.shape[1]!, q.shape[2]!, k.shape[2]!];
  let overflows = 0;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < queries; i++) {
      const qRow = (h * queries + i) * headDim;
      for (let j = 0; j < keys; j++) {
        const kRow = (h * keys + j) * headDim;
        let sum = 0;
        for (let d = 0; d < headDim; d++)
          sum = h16(sum + h16(h16(scale * q.data[qRow + d]!) * k.data[kRow + d]!));
        if (Math.abs(sum) > F16_MAX) overflows++;
      }
    }
  }
  expect(rows(q)).toBe(heads * queries);
  return overflows;
}

describe('f16 tier on shader-f16', async () => {
  const { device } = await getTestDevice();
  const hasF16 = device.features.has('shader-f16');
  if (!hasF16) console.warn('f16 tier (real f16 kernels): skipped, the adapter has no `shader-f16` feature');
  it.skipIf(!hasF16)(
    'softmax causal N=128 d=64 and N=256 d=32: within budget, as the emulation',
    {
      timeout: 300_000,
    },
    async () => {
      for (const [label, caseShape] of [
        ['N=128 d=64', shape(128, 128, 64)],
        ['N=256 d=32', shape(256, 256, 32)],
      ] as const) {
        const testCase = f16Case(buildCase(caseShape, { mask: causal() }), 3, 11);
        const real = await errorOf(testCase, 'f16');
        const emulated = await errorOf(testCase, 'f16-emulated');
        errors[`shader-f16 ${label}`] =
          `f16 ${real.error.toExponential(2)}, emulated ${emulated.error.toExponential(2)}`;
        for (const text of real.wgsl) expect(text).toMatch(/^enable f16;$/m);
        expect(real.error).toBeLessThan(F16_BUDGET);
      }
    },
  );
});

describe('f16 tier, emulated: every attention kernel of the WGSL corpus compiles on the device', () => {
  it('Dawn accepts the emulated kernels of every case and profile', { timeout: 300_000 }, async () => {
    const { device } = await getTestDevice();
    const failures: string[] = [];
    let kernels = 0;
    for (const testCase of ATTENTION_WGSL_CASES) {
      for (const [name, profile] of Object.entries(PROFILES)) {
        for (const code of attentionWgsl(testCase, { ...profile, precision: 'f16-emulated' })) {
          kernels++;
          const messages = (await device.createShaderModule({ code }).getCompilationInfo()).messages;
          for (const message of messages.filter((entry) => entry.type === 'error'))
            failures.push(
              `${testCase.name} (${name}) ${message.lineNum}:${message.linePos} ${message.message}`,
            );
        }
      }
    }
    console.info(`f16 tier: ${kernels} emulated attention kernels compiled`);
    expect(failures).toEqual([]);
  });
});
