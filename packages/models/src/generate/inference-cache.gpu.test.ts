import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { type CompiledModel, compileModel } from '../model/compile-model.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import {
  denseReference,
  equivalentMask,
  normwiseError,
  REFERENCE_LENGTH,
  randomTokens,
} from '../testing/windowed-reference.js';
import { rollingWindow, sinkPlusWindow } from './cache-policy.js';

/** One step on the device with the logits poisoned first, so a kernel that skips a write cannot pass. */
async function poisonedStep(
  model: CompiledModel,
  tokens: readonly number[],
  past: number,
): Promise<Float32Array> {
  const { logits } = await model.decoder.run(
    { tokens: Int32Array.from(tokens), past: Int32Array.of(past) },
    { dims: { seq: tokens.length }, outputs: ['logits'], poisonOutputs: true },
  );
  return logits!.data as Float32Array;
}

// f32 budget against float64 (measured ≤ 1.4e-6 on SwiftShader): a tiny model's logits are a few
// f32 roundings of matmuls, sin/cos and exp away from the exact ones.
const TOLERANCE = 2e-5;

describe('inference cache on the device', () => {
  it('keeping every key, each step equals the float64 recompute and the right-aligned cache', async () => {
    const device = await getTestDevice();
    const tokens = randomTokens(16, 21);
    const current = await compileModel(TINY_LLAMA, { device, seed: 5, cache: { policy: 'error' } });
    const legacy = await compileModel(TINY_LLAMA, { device, seed: 5 });
    const errors: number[] = [];
    for (let length = 4; length <= tokens.length; length++) {
      const fresh = length === 4 ? tokens.slice(0, 4) : [tokens[length - 1]!];
      const a = await poisonedStep(current, fresh, length - fresh.length);
      const b = await poisonedStep(legacy, fresh, length - fresh.length);
      errors.push(normwiseError(a, current.referenceLogits(tokens.slice(0, length))));
      expect(normwiseError(a, b)).toBeLessThan(TOLERANCE);
    }
    console.info(`keep-all vs float64: max ${Math.max(...errors).toExponential(1)}`);
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    current.destroy();
    legacy.destroy();
  }, 120_000);

  for (const [label, policy, sinks, window] of [
    ['rollingWindow(6)', rollingWindow(6), 0, 6],
    ['sinkPlusWindow(2, 5)', sinkPlusWindow(2, 5), 2, 5],
  ] as const) {
    it(`${label}: each step equals float64 dense attention under the equivalent mask`, async () => {
      const model = await compileModel(TINY_LLAMA, {
        device: await getTestDevice(),
        seed: 7,
        cache: { policy, prefillChunk: 4 },
      });
      const mask = equivalentMask(sinks, window);
      const tokens = randomTokens(REFERENCE_LENGTH - 10, 13);
      const errors: number[] = [];
      let length = 0;
      while (length < tokens.length) {
        const count = length < 8 ? 4 : 1;
        const logits = await poisonedStep(model, tokens.slice(length, length + count), length);
        length += count;
        errors.push(normwiseError(logits, denseReference(model.parameters, mask, tokens.slice(0, length))));
      }
      console.info(`${label} vs float64 dense + mask: max ${Math.max(...errors).toExponential(1)}`);
      for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
      model.destroy();
    }, 120_000);
  }
});
