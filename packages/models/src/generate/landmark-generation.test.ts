import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { landmark } from './cache-policy.js';
import { InferenceCache } from './inference-cache.js';

describe('landmark inference cache (CPU float64 backend)', () => {
  it('within the first block (nothing to retrieve) each step equals the plain cache', async () => {
    const tokens = randomTokens(6, 8);
    // Blocks of 6: every query sees only its own block, which is causal attention.
    const retrieving = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 3,
      cache: { policy: landmark(6, 2) },
    });
    const plain = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 3 });
    let worst = 0;
    for (let past = 0; past < tokens.length; past++) {
      const a = await retrieving.step(tokens.slice(past, past + 1), past);
      const b = await plain.step(tokens.slice(past, past + 1), past);
      worst = Math.max(worst, normwiseError(a, b));
    }
    console.info(`landmark (first block) vs plain cache: ${worst}`);
    expect(worst).toBeLessThan(1e-7);
    retrieving.destroy();
    plain.destroy();
  });
});
