import { describe, expect, it } from 'vitest';
import { TINY_DECODER_HF_CONFIGS } from '../testing/index.js';
import { modelSpecFromHuggingFaceConfig } from './hf-architectures.js';

const { qwen2, qwen3, gemma2 } = TINY_DECODER_HF_CONFIGS;

describe('modelSpecFromHuggingFaceConfig: Qwen2, Qwen3, Gemma 2', () => {
  it('maps a Qwen2 config onto a v2 spec: QKV biases, a window from max_window_layers on', () => {
    const { spec, modelType, eosTokenIds } = modelSpecFromHuggingFaceConfig(qwen2);
    expect(modelType).toBe('qwen2');
    expect(eosTokenIds).toEqual([2]);
    expect(spec).toEqual({
      schemaVersion: 2,
      kind: 'decoder-lm',
      config: {
        vocabSize: 40,
        dModel: 32,
        layers: 2,
        maxSeq: 32,
        attention: { heads: 4, kvHeads: 2, headDim: 8, positions: { kind: 'rope', base: 10000 }, bias: true },
        mlp: { kind: 'swiglu', hidden: 48 },
        norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
        tieEmbeddings: false,
        overrides: [{ layers: 'odd', attention: { mask: { kind: 'slidingWindow', window: 5 } } }],
      },
    });
  });

  it('maps a Qwen3 config onto a v2 spec: per-head RMS QK norm, its own head_dim', () => {
    const { spec } = modelSpecFromHuggingFaceConfig(qwen3);
    expect(spec.config).toEqual({
      vocabSize: 40,
      dModel: 32,
      layers: 2,
      maxSeq: 32,
      attention: {
        heads: 4,
        kvHeads: 2,
        headDim: 16,
        positions: { kind: 'rope', base: 1000000 },
        qkNorm: { kind: 'rms', scale: 'vector', eps: 1e-6 },
      },
      mlp: { kind: 'swiglu', hidden: 48 },
      norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'pre' },
      tieEmbeddings: true,
    });
  });

  it('maps a Gemma 2 config onto a v2 spec: sandwich norms, √d, score scale and softcaps, even windows', () => {
    const { spec } = modelSpecFromHuggingFaceConfig(gemma2);
    expect(spec.config).toEqual({
      vocabSize: 40,
      dModel: 32,
      layers: 3,
      maxSeq: 32,
      attention: {
        heads: 4,
        kvHeads: 2,
        headDim: 12,
        positions: { kind: 'rope', base: 10000 },
        score: [
          { kind: 'scale', value: 0.25 },
          { kind: 'softcap', cap: 4 },
        ],
      },
      mlp: { kind: 'geglu', approximate: 'tanh', hidden: 48 },
      norm: { layer: { kind: 'rmsnorm', eps: 1e-6 }, placement: 'sandwich' },
      tieEmbeddings: true,
      embeddingScale: Math.sqrt(32),
      logitSoftcap: 2.5,
      overrides: [{ layers: 'even', attention: { mask: { kind: 'slidingWindow', window: 4 } } }],
    });
  });

  it("takes transformers' defaults for absent fields and drops windows that never mask", () => {
    const {
      query_pre_attn_scalar: _scalar,
      attn_logit_softcapping: _cap,
      final_logit_softcapping: _final,
      sliding_window: _window,
      tie_word_embeddings: _tie,
      hidden_activation: _activation,
      ...bare
    } = gemma2;
    const { spec } = modelSpecFromHuggingFaceConfig(
      { ...bare, max_position_embeddings: 8192 },
      { maxSeq: 512 },
    );
    expect(spec.config).toMatchObject({
      maxSeq: 512,
      attention: {
        score: [
          { kind: 'scale', value: 1 / 16 },
          { kind: 'softcap', cap: 50 },
        ],
      },
      mlp: { kind: 'geglu', approximate: 'tanh' },
      tieEmbeddings: true,
      logitSoftcap: 30,
    });
    // The default window (4096) is longer than maxSeq: no override.
    expect(spec.config).not.toHaveProperty('overrides');
    const uncapped = modelSpecFromHuggingFaceConfig({
      ...gemma2,
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
    }).spec.config;
    expect(uncapped).not.toHaveProperty('logitSoftcap');
    expect(uncapped).toMatchObject({ attention: { score: [{ kind: 'scale', value: 0.25 }] } });
    expect(
      modelSpecFromHuggingFaceConfig({ ...qwen2, use_sliding_window: false }).spec.config,
    ).not.toHaveProperty('overrides');
  });

  it('reads layer_types where transformers 5 writes them', () => {
    const layerTypes = ['full_attention', 'sliding_attention', 'sliding_attention'];
    expect(modelSpecFromHuggingFaceConfig({ ...gemma2, layer_types: layerTypes }).spec.config).toMatchObject({
      overrides: [{ layers: [1, 2], attention: { mask: { kind: 'slidingWindow', window: 4 } } }],
    });
    expect(
      modelSpecFromHuggingFaceConfig({ ...qwen3, layer_types: ['full_attention', 'full_attention'] }).spec
        .config,
    ).not.toHaveProperty('overrides');
  });

  it('maps attention_bias of Qwen3 and Gemma 2 to QKV and output-projection biases', () => {
    for (const config of [qwen3, gemma2]) {
      const biased = modelSpecFromHuggingFaceConfig({ ...config, attention_bias: true }).spec;
      expect(biased).toMatchObject({ config: { attention: { bias: true, outputBias: true } } });
      const plain = modelSpecFromHuggingFaceConfig(config).spec;
      expect(plain).not.toHaveProperty('config.attention.outputBias');
    }
  });

  it('rejects fields that change the math in ways the spec cannot express, naming them', () => {
    const rejects = (config: Record<string, unknown>, message: RegExp) =>
      expect(() => modelSpecFromHuggingFaceConfig(config)).toThrow(message);
    rejects(
      { ...gemma2, use_bidirectional_attention: true },
      /"use_bidirectional_attention" is not supported/,
    );
    rejects({ ...gemma2, hidden_activation: 'relu' }, /"hidden_activation" is not supported/);
    rejects({ ...qwen2, hidden_act: 'gelu_pytorch_tanh' }, /"hidden_act" is not supported/);
    rejects(
      { ...gemma2, layer_types: ['sliding_attention', 'chunked_attention', 'full_attention'] },
      /"layer_types" is not supported: Weft maps "sliding_attention" and "full_attention" layers only/,
    );
    rejects(
      { ...gemma2, layer_types: ['full_attention'] },
      /"layer_types" is not supported: expected one entry per layer \(3\)/,
    );
    rejects(
      { ...qwen3, layer_types: ['sliding_attention', 'full_attention'] },
      /"layer_types" is not supported: it lists sliding layers while use_sliding_window is false/,
    );
    rejects({ ...qwen2, rope_scaling: { type: 'yarn', factor: 4 } }, /"rope_scaling" is not supported/);
    rejects({ ...qwen2, use_mrope: true }, /unknown field\(s\) "use_mrope"/);
    rejects({ ...gemma2, final_logit_softcapping: -1 }, /"final_logit_softcapping" is invalid/);
  });
});
