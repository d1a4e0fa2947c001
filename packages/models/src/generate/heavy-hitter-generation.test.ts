import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { heavyHitter } from './cache-policy.js';
import { InferenceCache } from './inference-cache.js';

describe('heavy-hitter inference cache (CPU float64 backend)', () => {
  it('with room for the whole sequence, each step equals the plain cache', async () => {
    const tokens = randomTokens(16, 8);
    // heavy 10 + recent 6 = 16 slots per KV head: nothing is evicted.
    const scored = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 3,
      cache: { policy: heavyHitter(10, 6), prefillChunk: 4 },
    });
    const plain = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 3 });
    let worst = 0;
    // Prefill 4 tokens, then one per step.
    for (let past = 0; past < tokens.length; past += past === 0 ? 4 : 1) {
      const fresh = tokens.slice(past, past === 0 ? 4 : past + 1);
      const a = await scored.step(fresh, past);
      const b = await plain.step(fresh, past);
      worst = Math.max(worst, normwiseError(a, b));
    }
    // Both float64 inside, rounded to f32 once at the end: equal up to that rounding.
    console.info(`heavy-hitter (no eviction) vs plain cache: ${worst}`);
    expect(worst).toBeLessThan(1e-7);
    expect(scored.cache!.evicted).toBe(0);
    scored.destroy();
    plain.destroy();
  });

  it('generate keeps going past the capacity, evicting per KV head, and reports the policy', async () => {
    const model = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 2,
      cache: { policy: heavyHitter(4, 3), prefillChunk: 4 },
    });
    const result = await model.generate(randomTokens(10, 5), { maxTokens: 14 });
    expect(result.tokens).toHaveLength(14);
    expect(result.stopReason).toBe('maxTokens');
    // 10 + 13 positions written, 7 kept per KV head.
    expect(result.evictedTokens).toBe(23 - 7);
    expect(result.cachePolicy).toBe('heavyHitter(4, 3), 7 slots per KV head');
    // The kept positions, per layer and KV head, read from the device state.
    const { logits, ...state } = await model.decoder.run(
      { tokens: Int32Array.of(result.tokens.at(-1)!), past: Int32Array.of(23) },
      { dims: { seq: 1 }, outputs: ['logits', 'layers.0.attn.cache.positions.next'] },
    );
    const tags = Array.from(state['layers.0.attn.cache.positions.next']!.data, Number);
    expect(logits!.data.every(Number.isFinite)).toBe(true);
    expect(tags.every((tag) => tag >= 1 && tag <= 24)).toBe(true);
    // Each KV head keeps the last 3 positions (22, 23 and the new 24, tagged +1) last.
    const kvHeads = tags.length / 7;
    for (let g = 0; g < kvHeads; g++) expect(tags.slice(g * 7 + 4, g * 7 + 7)).toEqual([22, 23, 24]);
    expect(() => model.cache!.keptPositions()).toThrow(/known on the device only/);
    model.destroy();
  });

  it('refuses what it cannot hold, naming it', async () => {
    expect(() => heavyHitter(0, 4)).toThrow(/heavy must be an integer ≥ 1/);
    expect(() => new InferenceCache(16, { policy: { kind: 'heavyHitter', heavy: 2 } as never })).toThrow(
      /recent must be an integer/,
    );
    const alibi = { ...TINY_LLAMA, config: { ...TINY_LLAMA.config, positions: { kind: 'alibi' } } };
    await expect(
      compileModel(alibi as typeof TINY_LLAMA, { device: 'cpu', cache: { policy: heavyHitter(4, 4) } }),
    ).rejects.toThrow(/cannot hold in-kernel positions/);
  });
});
