import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpec, ModelSpecInput } from '../spec/model-spec-types.js';
import type { ConfigReader } from './config-reader.js';
import { gatedMlpOf, headDimOf, readCommonDecoderFields, ropeBase } from './decoder-config-fields.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import { ignoredLlamaTensor, llamaCheckpointRecipes } from './llama-tensor-names.js';

/**
 * `llama` (`LlamaForCausalLM`) and `mistral`: RoPE, GQA, RMSNorm, a SwiGLU or GeGLU MLP, mapped
 * onto a version-1 spec (see {@link llamaStyleSpec}). Biases (`attention_bias`, `mlp_bias`) and
 * RoPE scaling are refused; Mistral loads when `sliding_window` is null or at least the compiled
 * `maxSeq` (the window then never masks anything).
 */
export const LLAMA_MAPPING: HuggingFaceMapping<ModelSpec> = {
  spec: llamaStyleSpec,
  recipes: (spec) => llamaCheckpointRecipes(spec),
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};

/**
 * Maps a Llama or Mistral `config.json` onto a version-1 spec: RMSNorm, RoPE (`rope_theta` or a
 * default `rope_parameters`), GQA, a SwiGLU (or exact-GELU gated) MLP. Fields the v1 spec cannot
 * express (`rope_scaling`, `attention_bias`, a Mistral window shorter than `maxSeq`, ...) are an
 * UnsupportedError naming them.
 *
 * @example
 * ```ts
 * const spec = llamaStyleSpec(new ConfigReader(JSON.parse(configText), 'llama'), 2048);
 * ```
 */
export function llamaStyleSpec(reader: ConfigReader, maxSeqCap: number): ModelSpec {
  readCommonDecoderFields(reader);
  const dModel = reader.positiveInteger('hidden_size');
  const heads = reader.positiveInteger('num_attention_heads');
  const kvHeads = reader.positiveInteger('num_key_value_heads', heads);
  const headDim = headDimOf(reader, dModel, heads);
  const maxPositions = reader.positiveInteger('max_position_embeddings', 2048);
  const maxSeq = Math.min(maxPositions, maxSeqCap);
  reader.requireNeutral(
    'attention_bias',
    (value) => value === false,
    'a version-1 decoder-lm spec has no attention bias',
  );
  reader.requireNeutral(
    'mlp_bias',
    (value) => value === false,
    'a version-1 decoder-lm spec has no MLP bias',
  );
  if (reader.modelType === 'mistral') {
    // A window at least as long as every sequence never masks anything.
    reader.requireNeutral(
      'sliding_window',
      (window) => typeof window === 'number' && window >= maxSeq,
      `the window is shorter than maxSeq (${maxSeq}) and version-1 specs have no sliding window; load with maxSeq ≤ the window`,
    );
  }
  const document: ModelSpecInput = {
    schemaVersion: 1,
    kind: 'decoder-lm',
    config: {
      vocabSize: reader.positiveInteger('vocab_size'),
      dModel,
      layers: reader.positiveInteger('num_hidden_layers'),
      heads,
      kvHeads,
      headDim,
      mlp: {
        kind: gatedMlpOf(reader, 'hidden_act', 'silu', false).kind,
        hidden: reader.positiveInteger('intermediate_size'),
      },
      norm: { kind: 'rmsnorm', eps: reader.positiveNumber('rms_norm_eps', 1e-6), placement: 'pre' },
      positions: { kind: 'rope', base: ropeBase(reader), fraction: 1 },
      maxSeq,
      tieEmbeddings: reader.boolean('tie_word_embeddings', false),
    },
  };
  return parseModelSpec(document);
}
