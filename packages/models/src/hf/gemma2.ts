import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpecV2, ModelSpecV2Input } from '../spec/model-spec-v2-types.js';
import type { ConfigReader } from './config-reader.js';
import {
  gatedMlpOf,
  readCommonDecoderFields,
  ropeBase,
  slidingLayersOf,
  slidingWindowOverrides,
} from './decoder-config-fields.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import {
  decoderCheckpointRecipes,
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
} from './llama-tensor-names.js';
import { offsetFrom } from './recipe-parts.js';

/** Gemma 2's four norms of a layer, by Weft parameter: sandwich norms around attention and MLP. */
const GEMMA2_LAYER_NORMS: Readonly<Record<string, string>> = {
  'attnNorm.gamma': 'input_layernorm',
  'attnPostNorm.gamma': 'post_attention_layernorm',
  'mlpNorm.gamma': 'pre_feedforward_layernorm',
  'mlpPostNorm.gamma': 'post_feedforward_layernorm',
};

/**
 * `gemma2` (`Gemma2ForCausalLM`), mapped onto a version-2 spec: token embeddings times
 * `√hidden_size`; sandwich RMSNorms (`input_layernorm` and `post_attention_layernorm` around
 * attention, `pre_feedforward_layernorm` and `post_feedforward_layernorm` around the MLP) whose
 * stored gains `w` act as `1 + w` (added on load, in float32 as transformers does); scores scaled
 * by `query_pre_attn_scalar^(−1/2)` and soft-capped by `attn_logit_softcapping`; a sliding window
 * of `sliding_window` keys on the even layers (`layer_idx % 2 == 0`, or where `layer_types`
 * says); a GeGLU MLP with the tanh GELU (`gelu_pytorch_tanh`); logits soft-capped by
 * `final_logit_softcapping`; the head tied to the embedding by default; with `attention_bias`,
 * biases on `q_proj`, `k_proj`, `v_proj` and `o_proj` (→ `layers.N.attn.bqkv`, `attn.bo`).
 */
export const GEMMA2_MAPPING: HuggingFaceMapping<ModelSpecV2> = {
  spec: (reader, maxSeq) => gemma2Spec(reader, maxSeq),
  recipes: (spec) => {
    const sizes = decoderTensorSizes(spec);
    return decoderCheckpointRecipes(spec, 'Gemma 2', (parameter) => {
      const layerNorm = /^layers\.(\d+)\.(\w+\.gamma)$/.exec(parameter.name);
      const stored = layerNorm === null ? undefined : GEMMA2_LAYER_NORMS[layerNorm[2]!];
      if (stored !== undefined)
        return offsetFrom(parameter, `model.layers.${layerNorm![1]}.${stored}.weight`, 1);
      if (parameter.name === 'finalNorm.gamma') return offsetFrom(parameter, 'model.norm.weight', 1);
      return llamaParameterRecipe(parameter, sizes);
    });
  },
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};

/** A softcapping field: its value, the default when absent, none when null (transformers skips it). */
function softcapOf(reader: ConfigReader, field: string, fallback: number): number | undefined {
  const value = reader.raw(field);
  if (value === null) return undefined;
  return reader.positiveNumber(field, fallback);
}

/** Absent fields take the defaults of transformers' `Gemma2Config`. */
function gemma2Spec(reader: ConfigReader, maxSeqCap: number): ModelSpecV2 {
  readCommonDecoderFields(reader);
  // Gemma2MLP reads hidden_activation; hidden_act is left over from Gemma 1 configs.
  reader.inert('hidden_act', 'cache_implementation');
  // Gemma2Attention gives q_proj, k_proj, v_proj and o_proj all bias=config.attention_bias.
  const attentionBias = reader.boolean('attention_bias', false);
  reader.requireNeutral(
    'use_bidirectional_attention',
    (value) => value === false,
    'Weft maps Gemma 2 as a causal decoder',
  );
  const dModel = reader.positiveInteger('hidden_size');
  const heads = reader.positiveInteger('num_attention_heads');
  const layers = reader.positiveInteger('num_hidden_layers');
  const maxSeq = Math.min(reader.positiveInteger('max_position_embeddings', 8192), maxSeqCap);
  const eps = reader.positiveNumber('rms_norm_eps', 1e-6);
  const window =
    reader.raw('sliding_window') === null ? undefined : reader.positiveInteger('sliding_window', 4096);
  const sliding = slidingLayersOf(reader, layers, (layer) => layer % 2 === 0);
  const attentionCap = softcapOf(reader, 'attn_logit_softcapping', 50);
  const logitCap = softcapOf(reader, 'final_logit_softcapping', 30);
  const overrides = slidingWindowOverrides(sliding, layers, window, maxSeq);
  const document: ModelSpecV2Input = {
    schemaVersion: 2,
    kind: 'decoder-lm',
    config: {
      vocabSize: reader.positiveInteger('vocab_size'),
      dModel,
      layers,
      maxSeq,
      attention: {
        heads,
        kvHeads: reader.positiveInteger('num_key_value_heads', 4),
        headDim: reader.positiveInteger('head_dim', 256),
        positions: { kind: 'rope', base: ropeBase(reader) },
        score: [
          { kind: 'scale', value: reader.positiveNumber('query_pre_attn_scalar', 256) ** -0.5 },
          ...(attentionCap === undefined ? [] : [{ kind: 'softcap' as const, cap: attentionCap }]),
        ],
        ...(attentionBias ? { bias: true, outputBias: true } : {}),
      },
      mlp: {
        ...gatedMlpOf(reader, 'hidden_activation', 'gelu_pytorch_tanh', true),
        hidden: reader.positiveInteger('intermediate_size'),
      },
      norm: { layer: { kind: 'rmsnorm', eps }, placement: 'sandwich' },
      tieEmbeddings: reader.boolean('tie_word_embeddings', true),
      embeddingScale: Math.sqrt(dModel),
      ...(logitCap === undefined ? {} : { logitSoftcap: logitCap }),
      ...(overrides.length === 0 ? {} : { overrides }),
    },
  };
  return parseModelSpec(document);
}
