import { SpecError, UnsupportedError } from '@weft/ir';
import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpec } from '../spec/model-spec-types.js';
import { ConfigReader } from './config-reader.js';
import { INERT_CONFIG_FIELDS } from './inert-config-fields.js';

/** The `model_type`s Weft loads: Llama-style decoders with Hugging Face's `LlamaForCausalLM` names. */
export const SUPPORTED_HF_MODEL_TYPES = ['llama', 'mistral'] as const;

/** A `model_type` Weft loads. */
export type SupportedHfModelType = (typeof SUPPORTED_HF_MODEL_TYPES)[number];

/**
 * Architectures Weft recognizes but cannot express with a version-1 model spec yet, and why.
 * Loading one is an UnsupportedError with this reason, never a model with some part left out.
 */
export const UNSUPPORTED_HF_MODEL_TYPES: Readonly<Record<string, string>> = {
  qwen2:
    'its q_proj, k_proj and v_proj carry biases (model.layers.N.self_attn.q_proj.bias) and a version-1 decoder-lm spec has no attention bias',
  qwen3:
    'it normalizes queries and keys per head (model.layers.N.self_attn.q_norm.weight, k_norm.weight) and a version-1 decoder-lm spec has no QK norm',
  gpt2: 'its linear layers carry biases (h.N.attn.c_attn.bias, attn.c_proj.bias, mlp.c_fc.bias, mlp.c_proj.bias) and it uses the tanh GELU (activation_function "gelu_new"); a version-1 decoder-lm spec has neither',
  gemma2:
    'it needs logit softcapping, sliding-window layers and sandwich norms, which version-1 specs do not express (they come with the new blocks)',
  gemma:
    'it scales embeddings by √d and stores RMSNorm gains as (1 + w), which version-1 specs do not express',
  bert: 'it is an encoder: load it with loadHuggingFaceEncoder',
  vit: 'it is an image encoder: load it with loadHuggingFaceEncoder',
};

/** Options of {@link modelSpecFromHuggingFaceConfig}. */
export interface HuggingFaceSpecOptions {
  /**
   * Longest sequence to compile for: the spec's `maxSeq` is the smaller of this and the config's
   * `max_position_embeddings` (the KV caches hold `maxSeq` positions). Default
   * {@link DEFAULT_HF_MAX_SEQ}.
   */
  readonly maxSeq?: number;
}

/** Default cap on `maxSeq` for Hugging Face models: 2048 positions. */
export const DEFAULT_HF_MAX_SEQ = 2048;

/** What a Hugging Face `config.json` maps to. */
export interface HuggingFaceArchitecture {
  /** The config's `model_type`. */
  readonly modelType: SupportedHfModelType;
  /** The equivalent version-1 model spec. */
  readonly spec: ModelSpec;
  /** End-of-sequence token ids (`eos_token_id`, one or a list); empty when the config has none. */
  readonly eosTokenIds: readonly number[];
}

/**
 * Maps a Hugging Face `config.json` onto a Weft model spec. Every field is either mapped, known
 * not to change the math (ids, training settings, versions), or rejected: a field that would
 * change the math in a way the spec cannot express (`rope_scaling`, `attention_bias`, a sliding
 * window shorter than `maxSeq`, ...) is an UnsupportedError naming the field, and so is a field
 * Weft does not know.
 *
 * @param config The parsed `config.json`.
 * @throws UnsupportedError for an unsupported `model_type` (with the reason, see
 * {@link UNSUPPORTED_HF_MODEL_TYPES}) or field; SpecError for a missing or malformed field.
 *
 * @example
 * ```ts
 * const { spec } = modelSpecFromHuggingFaceConfig(JSON.parse(configText), { maxSeq: 512 });
 * spec.config.kvHeads; // num_key_value_heads
 * ```
 */
export function modelSpecFromHuggingFaceConfig(
  config: unknown,
  options: HuggingFaceSpecOptions = {},
): HuggingFaceArchitecture {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new SpecError('config.json must hold a JSON object', { actual: typeof config });
  const record = config as Readonly<Record<string, unknown>>;
  const modelType = record.model_type;
  if (typeof modelType !== 'string') {
    throw new SpecError('config.json: "model_type" is missing', {
      tensor: 'model_type',
      expected: `one of ${SUPPORTED_HF_MODEL_TYPES.join(', ')}`,
    });
  }
  if (!(SUPPORTED_HF_MODEL_TYPES as readonly string[]).includes(modelType)) {
    const reason = UNSUPPORTED_HF_MODEL_TYPES[modelType];
    throw new UnsupportedError(
      reason === undefined
        ? `config.json: model_type "${modelType}" is not supported`
        : `config.json: model_type "${modelType}" is not supported yet: ${reason}`,
      { tensor: 'model_type', expected: `one of ${SUPPORTED_HF_MODEL_TYPES.join(', ')}`, actual: modelType },
    );
  }
  const reader = new ConfigReader(record, modelType);
  const maxSeqCap = options.maxSeq ?? DEFAULT_HF_MAX_SEQ;
  if (!(Number.isSafeInteger(maxSeqCap) && maxSeqCap >= 1))
    throw new SpecError('maxSeq must be a positive integer', { tensor: 'maxSeq', actual: maxSeqCap });
  const spec = llamaStyleSpec(reader, maxSeqCap);
  const eosTokenIds = tokenIds(reader.raw('eos_token_id'));
  reader.rejectUnread();
  return { modelType: modelType as SupportedHfModelType, spec, eosTokenIds };
}

function llamaStyleSpec(reader: ConfigReader, maxSeqCap: number): ModelSpec {
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

function tokenIds(value: unknown): number[] {
  const ids = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return ids.filter((id): id is number => Number.isSafeInteger(id) && (id as number) >= 0);
}
