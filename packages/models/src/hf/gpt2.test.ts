import { WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters } from '../model/model-parameters.js';
import type { ModelSpecV2 } from '../spec/model-spec-v2-types.js';
import { TINY_GPT2_HF_CONFIG } from '../testing/index.js';
import { gpt2CheckpointRecipes, ignoredGpt2Tensor } from './gpt2-tensor-names.js';
import { modelSpecFromHuggingFaceConfig } from './hf-architectures.js';

/** openai-community/gpt2's config.json as published. */
const GPT2_CONFIG = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: 0.1,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
};

const tiny = { model_type: 'gpt2', ...TINY_GPT2_HF_CONFIG };

function gpt2SpecOf(config: Record<string, unknown>, maxSeq?: number): ModelSpecV2 {
  const { spec } = modelSpecFromHuggingFaceConfig(config, maxSeq === undefined ? {} : { maxSeq });
  if (spec.schemaVersion !== 2) throw new Error('expected a version-2 spec');
  return spec;
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(WeftError.isInstance(error)).toBe(true);
    return { code: (error as WeftError).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

describe('GPT-2 config.json → version-2 spec', () => {
  it("maps openai-community/gpt2's config field by field", () => {
    const { modelType, spec, eosTokenIds } = modelSpecFromHuggingFaceConfig(GPT2_CONFIG, { maxSeq: 512 });
    expect(modelType).toBe('gpt2');
    expect(eosTokenIds).toEqual([50256]);
    expect(spec).toEqual({
      schemaVersion: 2,
      kind: 'decoder-lm',
      config: {
        vocabSize: 50257,
        dModel: 768,
        layers: 12,
        maxSeq: 512,
        attention: { heads: 12, headDim: 64, bias: true, outputBias: true },
        mlp: { kind: 'gelu', hidden: 3072, bias: true, approximate: 'tanh' },
        norm: { layer: { kind: 'layernorm', eps: 1e-5 }, placement: 'pre' },
        finalNorm: { kind: 'layernorm', eps: 1e-5 },
        positions: { kind: 'learned', max: 1024 },
        tieEmbeddings: true,
      },
    });
  });

  it('takes n_inner, the exact gelu, an untied head and caps maxSeq at n_positions', () => {
    const spec = gpt2SpecOf({
      ...tiny,
      n_inner: 40,
      activation_function: 'gelu',
      tie_word_embeddings: false,
    });
    expect(spec.config.mlp).toEqual({ kind: 'gelu', hidden: 40, bias: true, approximate: 'none' });
    expect(spec.config.tieEmbeddings).toBe(false);
    expect(spec.config.maxSeq).toBe(TINY_GPT2_HF_CONFIG.n_positions);
    expect(gpt2SpecOf({ ...tiny, activation_function: 'gelu_pytorch_tanh' }).config.mlp.approximate).toBe(
      'tanh',
    );
  });

  it('scales scores by 1/(layer + 1) with per-layer overrides, and by 1 without scale_attn_weights', () => {
    const inverse = gpt2SpecOf({ ...tiny, n_layer: 3, scale_attn_by_inverse_layer_idx: true });
    const rootScale = 1 / Math.sqrt(8);
    expect(inverse.config.attention.score).toBeUndefined();
    expect(inverse.config.overrides).toEqual([
      { layers: [1], attention: { score: [{ kind: 'scale', value: rootScale / 2 }] } },
      { layers: [2], attention: { score: [{ kind: 'scale', value: rootScale / 3 }] } },
    ]);
    const unscaled = gpt2SpecOf({ ...tiny, scale_attn_weights: false, reorder_and_upcast_attn: true });
    expect(unscaled.config.attention.score).toEqual([{ kind: 'scale', value: 1 }]);
    expect(unscaled.config.overrides).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an activation that is no GELU', { activation_function: 'relu' }, 'activation_function'],
    ['cross-attention', { add_cross_attention: true }, 'add_cross_attention'],
    ['pruned heads', { pruned_heads: { 0: [1] } }, 'pruned_heads'],
    ['an unknown field', { n_kv_head: 2 }, 'n_kv_head'],
  ])('refuses %s with an UnsupportedError naming the field', (_, patch, field) => {
    const { code, message } = errorOf(() => modelSpecFromHuggingFaceConfig({ ...tiny, ...patch }));
    expect(code).toBe('unsupported');
    expect(message).toContain(`"${field}"`);
  });

  it('refuses n_embd that n_head does not divide, naming both', () => {
    const { code, message } = errorOf(() => modelSpecFromHuggingFaceConfig({ ...tiny, n_head: 5 }));
    expect(code).toBe('spec');
    expect(message).toMatch(/n_embd \(32\) is not a multiple of n_head \(5\)/);
  });
});

describe('GPT-2 tensor names', () => {
  const spec = gpt2SpecOf(tiny);
  const parameterCount = graphParameters(buildModelGraph(spec, { mode: 'forward' }).graph).length;

  it('reads every parameter from its Conv1D-layout tensor, with or without transformer.', () => {
    const bare = gpt2CheckpointRecipes(spec, new Set(['wte.weight']));
    expect(bare).toHaveLength(parameterCount);
    const source = (recipes: typeof bare, name: string) => recipes.find((recipe) => recipe.name === name)!;
    expect(source(bare, 'layers.1.attn.wqkv').parts).toEqual([
      { source: 'h.1.attn.c_attn.weight', shape: [32, 96], transpose: false },
    ]);
    expect(source(bare, 'layers.0.mlp.bDown').parts[0]!.source).toBe('h.0.mlp.c_proj.bias');
    expect(source(bare, 'embedding.positions').parts[0]).toEqual({
      source: 'wpe.weight',
      shape: [32, 32],
      transpose: false,
    });
    const prefixed = gpt2CheckpointRecipes(spec, new Set(['transformer.wte.weight', 'lm_head.weight']));
    expect(source(prefixed, 'finalNorm.beta').parts[0]!.source).toBe('transformer.ln_f.bias');
    expect(source(prefixed, 'layers.0.attnNorm.gamma').parts[0]!.source).toBe('transformer.h.0.ln_1.weight');
  });

  it('ignores the causal-mask buffers and a tied head copy, nothing else', () => {
    expect(ignoredGpt2Tensor('h.3.attn.bias', spec)).toBe(true);
    expect(ignoredGpt2Tensor('transformer.h.0.attn.masked_bias', spec)).toBe(true);
    expect(ignoredGpt2Tensor('lm_head.weight', spec)).toBe(true);
    expect(ignoredGpt2Tensor('h.0.attn.c_attn.bias', spec)).toBe(false);
    expect(ignoredGpt2Tensor('lm_head.weight', gpt2SpecOf({ ...tiny, tie_word_embeddings: false }))).toBe(
      false,
    );
  });
});
