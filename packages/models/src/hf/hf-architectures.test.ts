import { describe, expect, it } from 'vitest';
import { TINY_LLAMA_HF_CONFIG } from '../testing/index.js';
import { modelSpecFromHuggingFaceConfig, UNSUPPORTED_HF_MODEL_TYPES } from './hf-architectures.js';

const llama = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  hidden_act: 'silu',
  ...TINY_LLAMA_HF_CONFIG,
};

describe('modelSpecFromHuggingFaceConfig', () => {
  it('maps a Llama config field by field', () => {
    const { spec, modelType, eosTokenIds } = modelSpecFromHuggingFaceConfig({
      ...llama,
      eos_token_id: [1, 7],
    });
    expect(modelType).toBe('llama');
    expect(eosTokenIds).toEqual([1, 7]);
    expect(spec).toEqual({
      schemaVersion: 1,
      kind: 'decoder-lm',
      config: {
        vocabSize: 40,
        dModel: 32,
        layers: 2,
        heads: 4,
        kvHeads: 2,
        headDim: 8,
        mlp: { kind: 'swiglu', hidden: 48 },
        norm: { kind: 'rmsnorm', eps: 1e-6, placement: 'pre' },
        positions: { kind: 'rope', base: 10000, fraction: 1 },
        maxSeq: 32,
        tieEmbeddings: false,
      },
    });
  });

  it('knows the fields that leave the logits unchanged (a SmolLM2-style config)', () => {
    const smolLm2 = {
      ...llama,
      attention_bias: false,
      mlp_bias: false,
      rope_scaling: null,
      pretraining_tp: 1,
      is_llama_config: true,
      rope_interleaved: false,
      'transformers.js_config': { kv_cache_dtype: { q4f16: 'float16' } },
      use_cache: true,
      torch_dtype: 'bfloat16',
      transformers_version: '4.42.3',
      initializer_range: 0.041666666666666664,
      bos_token_id: 0,
      eos_token_id: 0,
      pad_token_id: 2,
    };
    expect(modelSpecFromHuggingFaceConfig(smolLm2).eosTokenIds).toEqual([0]);
  });

  it('caps maxSeq, reads head_dim, gelu gates and transformers 5 rope_parameters', () => {
    const { spec } = modelSpecFromHuggingFaceConfig(
      {
        ...llama,
        max_position_embeddings: 131072,
        head_dim: 16,
        hidden_act: 'gelu',
        rope_theta: undefined,
        rope_parameters: { rope_type: 'default', rope_theta: 500000 },
      },
      { maxSeq: 256 },
    );
    expect(spec.config).toMatchObject({
      maxSeq: 256,
      headDim: 16,
      mlp: { kind: 'geglu' },
      positions: { base: 500000 },
    });
    expect(
      modelSpecFromHuggingFaceConfig({ ...llama, max_position_embeddings: 9000 }).spec.config.maxSeq,
    ).toBe(2048);
  });

  it('rejects fields that change the math, naming them', () => {
    const rejects = (fields: Record<string, unknown>, message: RegExp) =>
      expect(() => modelSpecFromHuggingFaceConfig({ ...llama, ...fields })).toThrow(message);
    rejects(
      { rope_scaling: { rope_type: 'llama3', factor: 8 } },
      /"rope_scaling" is not supported: RoPE scaling/,
    );
    rejects({ attention_bias: true }, /"attention_bias" is not supported/);
    rejects({ mlp_bias: true }, /"mlp_bias" is not supported/);
    rejects({ hidden_act: 'gelu_pytorch_tanh' }, /"hidden_act" is not supported/);
    rejects(
      { rope_parameters: { rope_type: 'yarn', rope_theta: 1e4, factor: 4 } },
      /"rope_parameters" is not supported/,
    );
    rejects({ rope_interleaved: true }, /"rope_interleaved" is not supported: interleaved RoPE/);
    rejects({ pruned_heads: { 0: [1] } }, /"pruned_heads" is not supported/);
    rejects({ some_new_knob: 3 }, /unknown field\(s\) "some_new_knob"/);
    rejects({ quantization_config: { bits: 4 } }, /unknown field\(s\) "quantization_config"/);
    rejects(
      { hidden_size: 30 },
      /hidden_size is not a multiple of num_attention_heads and "head_dim" is missing/,
    );
    rejects({ vocab_size: undefined }, /"vocab_size" is missing/);
    rejects({ num_key_value_heads: 3 }, /kvHeads/);
  });

  it('accepts a Mistral sliding window only when it never masks anything', () => {
    const mistral = { ...llama, model_type: 'mistral', sliding_window: 4096, max_position_embeddings: 32768 };
    expect(modelSpecFromHuggingFaceConfig(mistral, { maxSeq: 4096 }).spec.config.maxSeq).toBe(4096);
    expect(modelSpecFromHuggingFaceConfig({ ...mistral, sliding_window: null }).modelType).toBe('mistral');
    expect(() => modelSpecFromHuggingFaceConfig(mistral, { maxSeq: 8192 })).toThrow(
      /"sliding_window" is not supported: the window is shorter than maxSeq \(8192\)/,
    );
  });

  it('names why a recognized architecture cannot load yet, and lists the supported ones otherwise', () => {
    for (const modelType of ['gemma', 'bert', 'vit']) {
      expect(() => modelSpecFromHuggingFaceConfig({ ...llama, model_type: modelType })).toThrow(
        `model_type "${modelType}" is not supported yet: ${UNSUPPORTED_HF_MODEL_TYPES[modelType]}`,
      );
    }
    expect(() => modelSpecFromHuggingFaceConfig({ ...llama, model_type: 'mamba' })).toThrow(
      /model_type "mamba" is not supported.*one of llama, mistral, gpt2, qwen2, qwen3, gemma2/,
    );
    expect(() => modelSpecFromHuggingFaceConfig([])).toThrow(/must hold a JSON object/);
  });
});
