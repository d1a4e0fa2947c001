import { SpecError, UnsupportedError } from '@weft/ir';
import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import { ConfigReader } from './config-reader.js';
import { tokenIds } from './decoder-config-fields.js';
import {
  HF_FAMILIES,
  isSupportedHfModelType,
  SUPPORTED_HF_MODEL_TYPES,
  type SupportedHfModelType,
} from './hf-families.js';

/**
 * Architectures Weft recognizes but does not load yet, and why. Loading one is an
 * UnsupportedError with this reason, never a model with some part left out.
 */
export const UNSUPPORTED_HF_MODEL_TYPES: Readonly<Record<string, string>> = {
  gpt2: 'its linear layers carry biases (h.N.attn.c_attn.bias, attn.c_proj.bias, mlp.c_fc.bias, mlp.c_proj.bias) and it uses the tanh GELU (activation_function "gelu_new"); a version-1 decoder-lm spec has neither',
  gemma: 'Gemma 1 is not mapped yet (Gemma 2, model_type gemma2, loads)',
  bert: 'it is an encoder; version-1 specs describe decoder-only language models',
  vit: 'it is an image encoder; version-1 specs describe decoder-only language models',
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
  /** The equivalent model spec (version 1 for Llama and Mistral, version 2 for the others). */
  readonly spec: AnyModelSpec;
  /** End-of-sequence token ids (`eos_token_id`, one or a list); empty when the config has none. */
  readonly eosTokenIds: readonly number[];
}

/**
 * Maps a Hugging Face `config.json` onto a Weft model spec through the family of its
 * `model_type` (see `HF_FAMILIES`). Every field is either mapped, known not to change the math
 * (ids, training settings, versions), or rejected: a field that would change the math in a way
 * the spec cannot express (`rope_scaling`, Llama's `attention_bias`, Mistral's sliding window
 * shorter than `maxSeq`, ...) is an UnsupportedError naming the field, and so is a field Weft
 * does not know.
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
  if (!isSupportedHfModelType(modelType)) {
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
  const spec = HF_FAMILIES[modelType].spec(reader, maxSeqCap);
  const eosTokenIds = tokenIds(reader.raw('eos_token_id'));
  reader.rejectUnread();
  return { modelType, spec, eosTokenIds };
}
