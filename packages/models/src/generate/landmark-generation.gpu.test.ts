import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { landmark } from './cache-policy.js';

// f32 budget against float64 (as the other caches' device tests): a tiny model's logits are a few
// f32 roundings of matmuls, sin/cos and exp away from the exact ones.
const TOLERANCE = 2e-5;

describe('landmark inference cache on the device', () => {
  it('each one-token step, with retrieval from the second block on, equals the float64 decoder', async () => {
    const device = await getTestDevice();
    const tokens = randomTokens(14, 4);
    const policy = landmark(3, 1, { positions: 'exact' });
    const model = await compileModel(TINY_LLAMA, { device, seed: 6, cache: { policy } });
    // The same model and cache on the float64 interpreter: the step program is the oracle.
    const oracle = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 6, cache: { policy } });
    const errors: number[] = [];
    for (let past = 0; past < tokens.length; past++) {
      const { logits } = await model.decoder.run(
        { tokens: Int32Array.of(tokens[past]!), past: Int32Array.of(past) },
        { dims: { seq: 1 }, outputs: ['logits'], poisonOutputs: true },
      );
      errors.push(normwiseError(logits!.data, await oracle.step([tokens[past]!], past)));
    }
    console.info(
      `landmark(3, 1) decode vs float64: max ${Math.max(...errors).toExponential(1)}; ` +
        `decoder kernels ${model.decoder.kernels.length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    const result = await model.generate(randomTokens(4, 9), { maxTokens: 6 });
    expect(result.tokens).toHaveLength(6);
    expect(result.evictedTokens).toBe(0);
    expect(result.cachePolicy).toBe('landmark(3, 1, exact positions), 24 slots');
    model.destroy();
    oracle.destroy();
  }, 180_000);
});
