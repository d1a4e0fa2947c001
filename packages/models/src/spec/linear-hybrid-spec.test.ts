import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { LINEAR_HYBRID_DECODER, LINEAR_HYBRID_DECODER_SPEC } from '../testing/linear-hybrid-decoder.js';
import { parseModelSpec } from './model-spec-json.js';

const hashes = (graph: { outputs: Readonly<Record<string, { hash: string }>> }) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

describe('linear attention layers in a decoder-lm v2 spec', () => {
  const spec = parseModelSpec(LINEAR_HYBRID_DECODER_SPEC);

  it.each(['forward', 'step'] as const)('the JSON hybrid builds the TS hybrid graph (%s)', (mode) => {
    expect(hashes(buildModelGraph(spec, { mode }).graph)).toEqual(
      hashes(buildDecoderGraph(LINEAR_HYBRID_DECODER, { mode }).graph),
    );
  });

  const withAttention = (attention: object) => ({
    ...LINEAR_HYBRID_DECODER_SPEC,
    config: { ...LINEAR_HYBRID_DECODER_SPEC.config, attention, overrides: [] },
  });

  it('refuses softmax keys beside "linear", naming the key', () => {
    expect(() =>
      buildModelGraph(
        parseModelSpec(withAttention({ heads: 4, headDim: 8, positions: { kind: 'rope' }, linear: {} })),
        { mode: 'forward' },
      ),
    ).toThrow(/config\.attention\.positions: a linear-attention layer/);
  });

  it('refuses a non-causal linear layer and an unknown feature map', () => {
    expect(() =>
      buildModelGraph(parseModelSpec(withAttention({ heads: 4, headDim: 8, causal: false, linear: {} })), {
        mode: 'forward',
      }),
    ).toThrow(/causal/);
    expect(() =>
      parseModelSpec(withAttention({ heads: 4, headDim: 8, linear: { featureMap: { kind: 'cosh' } } })),
    ).toThrow(/featureMap/);
  });

  it('sizes the state of linear layers, not a KV cache, in the memory estimate', async () => {
    const { estimateSpecMemory } = await import('../model/memory-estimate.js');
    const estimate = estimateSpecMemory(spec, 1);
    // Layer 0: S [4, 8, 8] + z [4, 8]; layer 2 (no denominator): S; layer 1: keys and values
    // [4, 16, 8]; two copies, f32.
    const elements = 4 * 8 * 9 + 4 * 8 * 8 + 2 * 4 * 16 * 8;
    expect(estimate.cacheBytes).toBe(elements * 2 * 4);
  });

  it('compileModel decodes with the recurrent state as recomputing the prefix, and resets it (CPU)', async () => {
    const model = await compileModel(LINEAR_HYBRID_DECODER_SPEC, { device: 'cpu', seed: 5 });
    try {
      const errors = await decodeVersusRecompute(model, [5, 17, 2, 40, 11, 9, 33, 1], 3);
      for (const error of errors) expect(error).toBeLessThan(1e-6);
      // Each generation starts from a zeroed state: the same prompt gives the same tokens.
      const greedy = { maxTokens: 5, sampling: { kind: 'greedy' as const } };
      const first = await model.generate([1, 2, 3], greedy);
      const second = await model.generate([1, 2, 3], greedy);
      expect(second.tokens).toEqual(first.tokens);
      expect(first.tokens).toHaveLength(5);
    } finally {
      model.destroy();
    }
  });
});
