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
      cache: { policy: landmark(6, 2, { positions: 'exact' }) },
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

  it('generates through retrieval up to maxSeq, reporting the policy and no eviction', async () => {
    const model = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 2,
      cache: { policy: landmark(3, 1, { positions: 'exact' }) },
    });
    const plain = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 2 });
    const tokens = randomTokens(9, 4);
    let differs = 0;
    for (let past = 0; past < tokens.length; past++) {
      const a = await model.step(tokens.slice(past, past + 1), past);
      const b = await plain.step(tokens.slice(past, past + 1), past);
      // From the second block on, a query sees its block and one retrieved block, not every key.
      if (past >= 3) differs = Math.max(differs, normwiseError(a, b));
    }
    expect(differs).toBeGreaterThan(1e-3);
    const result = await model.generate(randomTokens(5, 6), { maxTokens: 40 });
    // maxSeq 16: every block stays, so the sequence ends there (the last token is sampled from
    // position 15's logits and needs no slot).
    expect(result.stopReason).toBe('maxSeq');
    expect(result.tokens).toHaveLength(16 - 5 + 1);
    expect(result.evictedTokens).toBe(0);
    // 6 blocks of 3 positions plus a landmark slot each.
    expect(result.cachePolicy).toBe('landmark(3, 1, exact positions), 24 slots');
    expect(model.cache!.evicted).toBe(0);
    expect(() => model.cache!.keptPositions()).toThrow(/known on the device only/);
    model.destroy();
    plain.destroy();
  });

  it('stingy (the default) equals exact within the first block and differs once blocks are retrieved', async () => {
    const stingy = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 2,
      cache: { policy: landmark(3, 1) },
    });
    const exact = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 2,
      cache: { policy: landmark(3, 1, { positions: 'exact' }) },
    });
    const tokens = randomTokens(9, 4);
    const gaps: number[] = [];
    for (let past = 0; past < tokens.length; past++) {
      const a = await stingy.step(tokens.slice(past, past + 1), past);
      const b = await exact.step(tokens.slice(past, past + 1), past);
      gaps.push(normwiseError(a, b));
    }
    console.info(
      `landmark stingy vs exact through compileModel: ${gaps.map((g) => g.toExponential(1)).join(' ')}`,
    );
    for (const gap of gaps.slice(0, 3)) expect(gap).toBeLessThan(1e-7);
    expect(Math.max(...gaps.slice(3))).toBeGreaterThan(1e-3);
    const result = await stingy.generate(randomTokens(5, 6), { maxTokens: 4 });
    expect(result.cachePolicy).toBe('landmark(3, 1), 24 slots');
    stingy.destroy();
    exact.destroy();
  });

  it('refuses what it cannot hold, naming it', async () => {
    expect(() => landmark(0, 2)).toThrow(/blockSize must be an integer ≥ 1/);
    expect(() => landmark(4, 0)).toThrow(/topK must be an integer ≥ 1/);
    expect(() => new InferenceCache(16, { policy: { kind: 'landmark', blockSize: 4 } as never })).toThrow(
      /topK must be an integer/,
    );
    expect(() => new InferenceCache(16, { policy: landmark(4, 2), prefillChunk: 4 })).toThrow(
      /prefillChunk must be 1 under landmark/,
    );
    await expect(
      compileModel(TINY_LLAMA, { device: 'cpu', cache: { policy: landmark(4, 2) } }).then((model) =>
        model.step([1, 2], 0),
      ),
    ).rejects.toThrow(/too many tokens for one step/);
    const alibi = { ...TINY_LLAMA, config: { ...TINY_LLAMA.config, positions: { kind: 'alibi' } } };
    await expect(
      compileModel(alibi as typeof TINY_LLAMA, { device: 'cpu', cache: { policy: landmark(4, 2) } }),
    ).rejects.toThrow(/landmark KV cache cannot hold in-kernel positions/);
  });
});
