import { describe, expect, it } from 'vitest';
import { megaLayer } from '../blocks/mega-layer.js';
import { rmsNormLayer } from '../blocks/norm-layers.js';
import { rollingWindow } from '../generate/cache-policy.js';
import { compileModel } from '../model/compile-model.js';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { estimateSpecMemory } from '../model/memory-estimate.js';
import { buildModelGraph } from '../model/model-definition.js';
import { decodeVersusRecompute } from '../testing/decode-versus-recompute.js';
import { MEGA_HYBRID_DECODER, MEGA_HYBRID_DECODER_SPEC } from '../testing/mega-hybrid-decoder.js';
import { parseModelSpec } from './model-spec-json.js';

const hashes = (graph: { outputs: Readonly<Record<string, { hash: string }>> }) =>
  Object.fromEntries(Object.entries(graph.outputs).map(([name, node]) => [name, node.hash]));

describe('Mega layers in a decoder-lm v2 spec', () => {
  const spec = parseModelSpec(MEGA_HYBRID_DECODER_SPEC);

  it.each(['forward', 'step'] as const)('the JSON hybrid builds the TS hybrid graph (%s)', (mode) => {
    expect(hashes(buildModelGraph(spec, { mode }).graph)).toEqual(
      hashes(buildDecoderGraph(MEGA_HYBRID_DECODER, { mode }).graph),
    );
  });

  const withAttention = (attention: object) => ({
    ...MEGA_HYBRID_DECODER_SPEC,
    config: { ...MEGA_HYBRID_DECODER_SPEC.config, attention, overrides: [] },
  });
  const build = (attention: object) => () =>
    buildModelGraph(parseModelSpec(withAttention(attention)), { mode: 'forward' });
  const mega = { components: 4 };

  it('refuses softmax keys and linear beside "mega", naming the JSON path and the layer', () => {
    expect(build({ heads: 1, headDim: 8, valueDim: 24, positions: { kind: 'rope' }, mega })).toThrow(
      /config\.attention\.positions: a Mega layer \("mega"\) takes no softmax-attention key/,
    );
    expect(build({ heads: 1, headDim: 8, valueDim: 24, linear: {}, mega })).toThrow(
      /config\.attention\.linear: a Mega layer/,
    );
    expect(build({ heads: 1, headDim: 8, valueDim: 24, mask: { kind: 'causal' }, mega })).toThrow(
      /block "layers\.0\.mega", dim mask: config\.attention\.mask: a Mega layer/,
    );
  });

  it('refuses several heads, a missing valueDim and a non-causal Mega layer', () => {
    expect(build({ heads: 2, headDim: 8, valueDim: 24, mega })).toThrow(
      /config\.attention\.heads: .*one head/,
    );
    expect(build({ heads: 1, headDim: 8, mega })).toThrow(/config\.attention\.valueDim: .*hDim/);
    expect(build({ heads: 1, headDim: 8, valueDim: 24, causal: false, mega })).toThrow(
      /config\.attention\.causal: .*causal/,
    );
  });

  it('names the override that made a layer wrong', () => {
    const bad = {
      ...MEGA_HYBRID_DECODER_SPEC,
      config: {
        ...MEGA_HYBRID_DECODER_SPEC.config,
        overrides: [{ layers: [2], attention: { heads: 3 } }],
      },
    };
    expect(() => buildModelGraph(parseModelSpec(bad), { mode: 'forward' })).toThrow(
      /config\.overrides\[0\]\.attention\.heads: a Mega layer/,
    );
  });

  it('refuses a bad "mega" section in the schema, naming the key', () => {
    expect(() => parseModelSpec(withAttention({ heads: 1, headDim: 8, valueDim: 24, mega: {} }))).toThrow(
      /mega\.components/,
    );
    expect(() =>
      parseModelSpec(
        withAttention({
          heads: 1,
          headDim: 8,
          valueDim: 24,
          mega: { components: 4, attentionFunction: 'tanh' },
        }),
      ),
    ).toThrow(/mega\.attentionFunction/);
    expect(() =>
      parseModelSpec(withAttention({ heads: 1, headDim: 8, valueDim: 24, mega: { components: 4, ndim: 4 } })),
    ).toThrow(/ndim/);
    expect(build({ heads: 1, headDim: 8, valueDim: 24, mega: { components: 4, maxPositions: 8 } })).toThrow(
      /maxPositions must cover the model's maxSeq/,
    );
  });

  it("takes fairseq's chunked attention (attentionChunk): the TS layer's graph, a table of the chunk", () => {
    const chunked = parseModelSpec(
      withAttention({ heads: 1, headDim: 8, valueDim: 24, mega: { components: 4, attentionChunk: 4 } }),
    );
    const { graph } = buildModelGraph(chunked, { mode: 'step' });
    const fromTs = buildDecoderGraph(
      {
        ...MEGA_HYBRID_DECODER,
        block: {
          attention: megaLayer({ zDim: 8, hDim: 24, components: 4, attentionChunk: 4 }),
          mlp: { kind: 'swiglu', hidden: 32 },
          norm: rmsNormLayer({ eps: 1e-6 }),
        },
      },
      { mode: 'step' },
    ).graph;
    expect(hashes(graph)).toEqual(hashes(fromTs));
    expect(estimateSpecMemory(chunked, 1).parameterBytes).toBeLessThan(
      estimateSpecMemory(spec, 1).parameterBytes * 2,
    );
    expect(() =>
      parseModelSpec(
        withAttention({ heads: 1, headDim: 8, valueDim: 24, mega: { components: 4, attentionChunk: 0 } }),
      ),
    ).toThrow(/mega\.attentionChunk/);
  });

  it('sizes the EMA state and the head keys and values of Mega layers in the memory estimate', () => {
    const estimate = estimateSpecMemory(spec, 1);
    // Layers 0 and 2: h [16, 4] + keys [16, 8] + values [16, 24]; layer 1: keys and values
    // [4, 16, 4] each; two copies, f32.
    const elements = 2 * (16 * 4 + 16 * (8 + 24)) + 2 * 4 * 16 * 4;
    expect(estimate.cacheBytes).toBe(elements * 2 * 4);
  });

  it('refuses a rolling cache policy: a Mega layer keeps every key', async () => {
    await expect(
      compileModel(MEGA_HYBRID_DECODER_SPEC, { device: 'cpu', seed: 5, cache: { policy: rollingWindow(8) } }),
    ).rejects.toThrow(/layers\.0.*a Mega layer keeps every key/);
  });

  it('compileModel decodes with the EMA state and KV caches as recomputing the prefix, and resets them (CPU)', async () => {
    const model = await compileModel(MEGA_HYBRID_DECODER_SPEC, { device: 'cpu', seed: 5 });
    try {
      const errors = await decodeVersusRecompute(model, [5, 17, 2, 30, 11, 9, 33, 1], 3);
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
});
