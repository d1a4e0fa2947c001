import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { heavyHitter } from './cache-policy.js';

// f32 budget against float64 (as the rolling caches' device test): a tiny model's logits are a
// few f32 roundings of matmuls, sin/cos and exp away from the exact ones.
const TOLERANCE = 2e-5;

describe('heavy-hitter inference cache on the device', () => {
  it('with room for the whole sequence it equals the float64 recompute; past it, generation goes on', async () => {
    const device = await getTestDevice();
    const tokens = randomTokens(12, 4);
    const model = await compileModel(TINY_LLAMA, {
      device,
      seed: 6,
      cache: { policy: heavyHitter(8, 4), prefillChunk: 4 },
    });
    const errors: number[] = [];
    for (let past = 0; past < tokens.length; past += past === 0 ? 4 : 1) {
      const fresh = tokens.slice(past, past === 0 ? 4 : past + 1);
      const { logits } = await model.decoder.run(
        { tokens: Int32Array.from(fresh), past: Int32Array.of(past) },
        { dims: { seq: fresh.length }, outputs: ['logits'], poisonOutputs: true },
      );
      const length = past + fresh.length;
      errors.push(normwiseError(logits!.data, model.referenceLogits(tokens.slice(0, length))));
    }
    console.info(
      `heavyHitter(8, 4), no eviction, vs float64: max ${Math.max(...errors).toExponential(1)}; ` +
        `decoder kernels ${model.decoder.kernels.length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    const result = await model.generate(randomTokens(10, 9), { maxTokens: 12 });
    expect(result.tokens).toHaveLength(12);
    expect(result.evictedTokens).toBe(21 - 12);
    expect(result.cachePolicy).toBe('heavyHitter(8, 4), 12 slots per KV head');
    model.destroy();
  }, 180_000);
});
