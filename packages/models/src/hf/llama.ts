import { SpecError } from '@weft/ir';
import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpec } from '../spec/model-spec-types.js';
import type { ConfigReader } from './config-reader.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import { INERT_CONFIG_FIELDS } from './inert-config-fields.js';
import { ignoredLlamaTensor, llamaCheckpointRecipes } from './llama-tensor-names.js';

/**
 * Llama-style decoders with Hugging Face's `LlamaForCausalLM` names (`llama`, `mistral`): a
 * version-1 spec (see {@link llamaStyleSpec}), tensors as `llamaParameterRecipe` names them.
 */
export const LLAMA_MAPPING: HuggingFaceMapping<ModelSpec> = {
  spec: llamaStyleSpec,
  recipes: (spec) => llamaCheckpointRecipes(spec),
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config),
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
  reader.inert(...INERT_CONFIG_FIELDS);
  reader.requireNeutral('is_encoder_decoder', (value) => value === false, 'version-1 specs are decoder-only');
  reader.requireNeutral(
    'add_cross_attention',
    (value) => value === false,
    'version-1 decoder-lm specs have no cross-attention',
  );
  reader.requireNeutral(
    'tie_encoder_decoder',
    (value) => value === false,
    'version-1 specs are decoder-only',
  );
  reader.requireNeutral(
    'pruned_heads',
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
    'pruned heads leave layers with fewer heads than config.json says',
  );
  reader.requireNeutral(
    'rope_interleaved',
    (value) => value === false,
    'interleaved RoPE pairs are not expressible in a version-1 spec (it rotates halves, as Hugging Face Llama does)',
  );
  const dModel = reader.positiveInteger('hidden_size');
  const heads = reader.positiveInteger('num_attention_heads');
  const kvHeads = reader.positiveInteger('num_key_value_heads', heads);
  if (!reader.has('head_dim') && dModel % heads !== 0) {
    throw new SpecError(
      `config.json (${reader.modelType}): hidden_size is not a multiple of num_attention_heads and "head_dim" is missing`,
      {
        tensor: 'head_dim',
        expected: `head_dim, or hidden_size divisible by ${heads}`,
        actual: dModel,
      },
    );
  }
  const headDim = reader.positiveInteger('head_dim', dModel / heads);
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
  reader.requireNeutral(
    'rope_scaling',
    () => false,
    'RoPE scaling (linear, dynamic, YaRN, Llama 3) is not expressible in a version-1 spec',
  );
  if (reader.modelType === 'mistral') {
    // A window at least as long as every sequence never masks anything.
    reader.requireNeutral(
      'sliding_window',
      (window) => typeof window === 'number' && window >= maxSeq,
      `the window is shorter than maxSeq (${maxSeq}) and version-1 specs have no sliding window; load with maxSeq ≤ the window`,
    );
  }
  return parseModelSpec({
    schemaVersion: 1,
    kind: 'decoder-lm',
    config: {
      vocabSize: reader.positiveInteger('vocab_size'),
      dModel,
      layers: reader.positiveInteger('num_hidden_layers'),
      heads,
      kvHeads,
      headDim,
      mlp: { kind: gatedMlpKind(reader), hidden: reader.positiveInteger('intermediate_size') },
      norm: { kind: 'rmsnorm', eps: reader.positiveNumber('rms_norm_eps', 1e-6), placement: 'pre' },
      positions: { kind: 'rope', base: ropeBase(reader), fraction: 1 },
      maxSeq,
      tieEmbeddings: reader.boolean('tie_word_embeddings', false),
    },
  });
}

function gatedMlpKind(reader: ConfigReader): 'swiglu' | 'geglu' {
  const activation = reader.string('hidden_act', 'silu');
  if (activation === 'silu' || activation === 'swish') return 'swiglu';
  // Hugging Face's "gelu" is the exact (erf) GELU, as is Weft's.
  if (activation === 'gelu') return 'geglu';
  throw reader.unsupported('hidden_act', 'Weft gates MLPs with silu or the exact (erf) gelu', activation);
}

/** `rope_theta`, or transformers 5's `rope_parameters` of the default kind. */
function ropeBase(reader: ConfigReader): number {
  if (!reader.has('rope_parameters')) return reader.positiveNumber('rope_theta', 10_000);
  const parameters = reader.raw('rope_parameters') as Record<string, unknown>;
  const { rope_type: ropeType, rope_theta: theta, ...rest } = parameters;
  if (ropeType !== 'default' || Object.keys(rest).length > 0) {
    throw reader.unsupported(
      'rope_parameters',
      'only the default RoPE (rope_type "default" with rope_theta) is expressible in a version-1 spec',
      parameters,
    );
  }
  if (typeof theta !== 'number' || !(theta > 0))
    throw reader.unsupported('rope_parameters', 'rope_theta must be a positive number', parameters);
  if (reader.has('rope_theta') && reader.raw('rope_theta') !== theta)
    throw reader.unsupported(
      'rope_theta',
      `it disagrees with rope_parameters.rope_theta (${theta})`,
      reader.raw('rope_theta'),
    );
  reader.inert('rope_theta');
  return theta;
}
