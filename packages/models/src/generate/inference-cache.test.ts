import { qkNorm, rope } from '@weft/attention';
import { attention as kernels } from '@weft/attention/kernels';
import { SpecError } from '@weft/ir';
import { compile } from '@weft/runtime';
import { describe, expect, it } from 'vitest';
import { checkRollingCacheLayout } from '../blocks/rolling-kv-cache.js';
import { compileModel } from '../model/compile-model.js';
import { buildDecoderGraph, type DecoderLmDefinition } from '../model/decoder-graph.js';
import { randomParameters } from '../model/model-parameters.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import {
  denseReference,
  equivalentMask,
  normwiseError,
  REFERENCE_LENGTH,
  randomTokens,
  simulateSlots,
} from '../testing/windowed-reference.js';
import { type CachePolicy, rollingWindow, sinkPlusWindow } from './cache-policy.js';
import { InferenceCache } from './inference-cache.js';

describe('inference cache (CPU float64 backend)', () => {
  it('keeping every key, it equals the right-aligned cache and a full recompute at every step', async () => {
    const tokens = randomTokens(16, 3);
    const current = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 4, cache: { policy: 'error' } });
    const legacy = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 4 });
    expect(current.cache!.capacity).toBe(16);
    expect(legacy.cache).toBeUndefined();
    for (let length = 5; length <= tokens.length; length++) {
      const fresh = length === 5 ? tokens.slice(0, 5) : [tokens[length - 1]!];
      const a = await current.step(fresh, length - fresh.length);
      const b = await legacy.step(fresh, length - fresh.length);
      // Both float64 inside, rounded to f32 at the end.
      expect(normwiseError(a, current.referenceLogits(tokens.slice(0, length)))).toBeLessThan(1e-6);
      expect(normwiseError(a, b)).toBeLessThan(1e-6);
    }
    expect(current.cache!.length).toBe(16);
    expect(current.cache!.evicted).toBe(0);
    await expect(current.step([1], 16)).rejects.toThrow(/past must be/);
    current.destroy();
    legacy.destroy();
  });

  for (const [label, policy, sinks, window] of [
    ['rollingWindow(6)', rollingWindow(6), 0, 6],
    ['sinkPlusWindow(2, 5)', sinkPlusWindow(2, 5), 2, 5],
  ] as const) {
    it(`${label}: each step equals dense attention under the equivalent mask, past the capacity`, async () => {
      const model = await compileModel(TINY_LLAMA, {
        device: 'cpu',
        seed: 9,
        cache: { policy: policy as CachePolicy, prefillChunk: 4 },
      });
      const cache = model.cache!;
      expect(cache.capacity).toBe(sinks + window + 3);
      const mask = equivalentMask(sinks, window);
      const tokens = randomTokens(REFERENCE_LENGTH, 11);
      // Prefill 10 tokens in chunks of 4, then one token per step up to 40 (past maxSeq 16).
      let length = 0;
      while (length < REFERENCE_LENGTH) {
        const count = length < 10 ? Math.min(4, 10 - length) : 1;
        const logits = await model.step(tokens.slice(length, length + count), length);
        length += count;
        const expected = denseReference(model.parameters, mask, tokens.slice(0, length));
        expect(normwiseError(logits, expected), `length ${length}`).toBeLessThan(1e-6);
        const simulated = simulateSlots(cache.capacity, sinks, window, length);
        expect(cache.keptPositions(), `length ${length}`).toEqual(simulated.attended);
        for (const [slot, position] of simulated.slots.entries()) {
          if (position >= 0) expect(cache.slotOf(position)).toBe(slot);
        }
        expect(cache.evicted).toBe(length - simulated.attended.length);
      }
      // The dense causal model differs once keys fall out of the window: the mask matters.
      const causalOnly = denseReference(model.parameters, undefined, tokens);
      const windowed = denseReference(model.parameters, mask, tokens);
      expect(normwiseError(windowed, causalOnly)).toBeGreaterThan(1e-3);
      model.destroy();
    });
  }

  it('a QK-norm decoder (keys stored after QK norm and RoPE) equals dense attention under the window mask', async () => {
    const definition: DecoderLmDefinition = {
      vocabSize: 48,
      dModel: 32,
      layers: 2,
      maxSeq: REFERENCE_LENGTH,
      block: {
        attention: { heads: 4, kvHeads: 2, headDim: 8, positions: rope(), qkNorm: qkNorm() },
        mlp: { kind: 'swiglu', hidden: 48 },
        norm: { kind: 'rmsnorm', eps: 1e-6, placement: 'pre' },
      },
      finalNorm: { kind: 'rmsnorm', eps: 1e-6 },
    };
    const cache = new InferenceCache(16, { policy: rollingWindow(5), prefillChunk: 3 });
    const step = buildDecoderGraph(definition, {
      mode: 'step',
      cache: { layout: cache.layout, maxStepTokens: cache.maxStepTokens },
    });
    const params = randomParameters(buildDecoderGraph(definition, { mode: 'forward' }).graph, 5);
    // The QK-norm gains are not all ones: keys stored unnormalized would differ.
    for (const [name, values] of Object.entries(params)) {
      if (!name.includes('Norm.gamma')) continue;
      for (let i = 0; i < values.length; i++) values[i] = 0.5 + ((i * 7) % 5) / 5;
    }
    const program = await compile(step.graph, {
      device: 'cpu',
      params,
      state: step.state,
      extensions: [kernels],
    });
    const tokens = randomTokens(24, 17);
    const mask = equivalentMask(0, 5);
    for (let length = 0; length < tokens.length; ) {
      const count = length < 6 ? 3 : 1;
      const { logits } = await program.run(
        { tokens: Int32Array.from(tokens.slice(length, length + count)), past: Int32Array.of(length) },
        { dims: { seq: count }, outputs: ['logits'] },
      );
      length += count;
      const expected = denseReference(params, mask, tokens.slice(0, length), definition);
      expect(normwiseError(logits!.data, expected), `length ${length}`).toBeLessThan(1e-6);
    }
    program.destroy();
  });

  it('generate keeps going past the capacity under a window and reports the evictions', async () => {
    const model = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      seed: 2,
      cache: { policy: rollingWindow(6) },
    });
    const prompt = randomTokens(20, 5);
    const result = await model.generate(prompt, { maxTokens: 12 });
    expect(result.tokens).toHaveLength(12);
    expect(result.stopReason).toBe('maxTokens');
    // 20 + 11 positions written; the next query sees the last 5 of them and itself.
    expect(result.evictedTokens).toBe(31 - 5);
    expect(result.cachePolicy).toBe('rollingWindow(6), 21 slots');
    const bounded = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 2, cache: { policy: 'error' } });
    const stopped = await bounded.generate(prompt.slice(0, 10), { maxTokens: 12 });
    expect(stopped.stopReason).toBe('maxSeq');
    expect(stopped.evictedTokens).toBe(0);
    model.destroy();
    bounded.destroy();
  });

  it('refuses what a rolling cache cannot hold, naming it', async () => {
    await expect(
      compileModel(TINY_GPT, { device: 'cpu', cache: { policy: rollingWindow(4), prefillChunk: 40 } }),
    ).rejects.toThrow(/prefillChunk must be an integer in 1\.\.maxSeq \(expected an integer in 1\.\.16/);
    const alibi = { ...TINY_LLAMA, config: { ...TINY_LLAMA.config, positions: { kind: 'alibi' } } };
    const refusal = compileModel(alibi as typeof TINY_LLAMA, {
      device: 'cpu',
      cache: { policy: rollingWindow(4) },
    });
    await expect(refusal).rejects.toThrow(SpecError);
    await expect(refusal).rejects.toThrow(/rolling KV cache cannot hold in-kernel positions/);
    const windowed = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      cache: { policy: rollingWindow(4), prefillChunk: 2 },
    });
    await expect(windowed.step([1, 2, 3], 0)).rejects.toThrow(/too many tokens for one step/);
    windowed.destroy();
    expect(() => rollingWindow(0)).toThrow(/window must be an integer/);
    expect(() => checkRollingCacheLayout({ capacity: 8, sinks: 8, window: 4 })).toThrow(
      /"sinks" is out of range/,
    );
    expect(() => checkRollingCacheLayout({ capacity: 8, sinks: 2, window: 7 })).toThrow(
      /"window" is out of range/,
    );
    expect(() => sinkPlusWindow(-1, 4)).toThrow(/sinks must be an integer/);
    expect(() => new InferenceCache(16, { policy: { kind: 'bogus' } as never })).toThrow(/policy must be/);
  });
});
