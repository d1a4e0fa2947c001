import { describe, expect, it } from 'vitest';
import { rollingWindow } from '../generate/cache-policy.js';
import { compileModel } from '../model/compile-model.js';
import { estimateSpecMemory } from '../model/memory-estimate.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { LOG_LINEAR_HYBRID_DECODER_SPEC } from '../testing/log-linear-hybrid-decoder.js';
import { parseModelSpec } from './model-spec-json.js';

const withAttention = (attention: object) => ({
  ...LOG_LINEAR_HYBRID_DECODER_SPEC,
  config: { ...LOG_LINEAR_HYBRID_DECODER_SPEC.config, attention, overrides: [] },
});
const build = (attention: object) => () =>
  buildModelGraph(parseModelSpec(withAttention(attention)), { mode: 'forward' });

describe('log-linear attention layers in a decoder-lm v2 spec', () => {
  it('refuses linear attention keys beside "kind": "log-linear", naming the JSON path', () => {
    expect(
      build({ heads: 4, headDim: 8, linear: { kind: 'log-linear', featureMap: { kind: 'elu1' } } }),
    ).toThrow(/config\.attention\.linear\.featureMap: a log-linear layer .* takes only "chunkSize"/);
    expect(
      build({ heads: 4, headDim: 8, linear: { kind: 'log-linear', decay: { kind: 'retention' } } }),
    ).toThrow(/config\.attention\.linear\.decay/);
  });

  it('refuses softmax keys, a non-causal layer and a chunk size that is not a power of two', () => {
    expect(
      build({ heads: 4, headDim: 8, positions: { kind: 'rope' }, linear: { kind: 'log-linear' } }),
    ).toThrow(/config\.attention\.positions: a log-linear layer/);
    expect(build({ heads: 4, headDim: 8, causal: false, linear: { kind: 'log-linear' } })).toThrow(
      /config\.attention\.causal: a log-linear layer .* is causal in a decoder/,
    );
    expect(build({ heads: 4, headDim: 8, linear: { kind: 'log-linear', chunkSize: 3 } })).toThrow(
      /config\.attention\.linear\.chunkSize: a log-linear layer .* power of two/,
    );
  });

  it('refuses an unknown kind and a chunk size over 64 when parsing, naming the key', () => {
    expect(() =>
      parseModelSpec(withAttention({ heads: 4, headDim: 8, linear: { kind: 'loglinear' } })),
    ).toThrow(/attention\.linear\.kind/);
    expect(() =>
      parseModelSpec(withAttention({ heads: 4, headDim: 8, linear: { kind: 'log-linear', chunkSize: 128 } })),
    ).toThrow(/attention\.linear\.chunkSize/);
  });

  it('sizes the Fenwick level states of log-linear layers, not a KV cache, in the memory estimate', () => {
    const estimate = estimateSpecMemory(parseModelSpec(LOG_LINEAR_HYBRID_DECODER_SPEC), 1);
    // Layers 0 and 2: levels [4 heads, 4 levels, 8, 8] + the position; layer 1: keys and values
    // [4, 16, 8]; two copies, f32.
    const elements = 2 * (4 * 4 * 8 * 8 + 1) + 2 * 4 * 16 * 8;
    expect(estimate.cacheBytes).toBe(elements * 2 * 4);
    // The log-linear layers' state does not grow with maxSeq like a KV cache: ×4 positions, +2 levels.
    const longer = {
      ...LOG_LINEAR_HYBRID_DECODER_SPEC,
      config: { ...LOG_LINEAR_HYBRID_DECODER_SPEC.config, maxSeq: 64 },
    };
    const grown = 2 * (4 * 6 * 8 * 8 + 1) + 2 * 4 * 64 * 8;
    expect(estimateSpecMemory(parseModelSpec(longer), 1).cacheBytes).toBe(grown * 2 * 4);
  });

  it('compileModel decodes with the level states as recomputing the prefix, and resets them (CPU)', async () => {
    const model = await compileModel(LOG_LINEAR_HYBRID_DECODER_SPEC, { device: 'cpu', seed: 5 });
    try {
      const errors = await decodeVersusRecompute(model, [5, 17, 2, 40, 11, 9, 33, 1, 7, 30], 3);
      for (const error of errors) expect(error).toBeLessThan(1e-5);
      const greedy = { maxTokens: 5, sampling: { kind: 'greedy' as const } };
      const first = await model.generate([1, 2, 3], greedy);
      const second = await model.generate([1, 2, 3], greedy);
      expect(second.tokens).toEqual(first.tokens);
      expect(first.tokens).toHaveLength(5);
    } finally {
      model.destroy();
    }
  });

  it('refuses a windowed cache policy, which would take the level states past maxSeq', async () => {
    await expect(
      compileModel(LOG_LINEAR_HYBRID_DECODER_SPEC, { device: 'cpu', cache: { policy: rollingWindow(8) } }),
    ).rejects.toThrow(/layer 0 is log-linear attention, whose level states serve 16 positions/);
  });

  it('compiles a one-token step with cache.prefillChunk 1, which prefills token by token (CPU)', async () => {
    const model = await compileModel(LOG_LINEAR_HYBRID_DECODER_SPEC, {
      device: 'cpu',
      seed: 5,
      cache: { prefillChunk: 1 },
    });
    try {
      const errors = await decodeVersusRecompute(model, [5, 17, 2, 40, 11, 9], 1);
      for (const error of errors) expect(error).toBeLessThan(1e-5);
      const { tokens } = await model.generate([1, 2, 3], { maxTokens: 3, sampling: { kind: 'greedy' } });
      expect(tokens).toHaveLength(3);
    } finally {
      model.destroy();
    }
  });
});
