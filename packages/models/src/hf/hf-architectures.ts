import { SpecError, UnsupportedError } from '@weft/ir';
import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import { ConfigReader } from './config-reader.js';
import { tokenIds } from './decoder-config-fields.js';
import { GEMMA2_MAPPING } from './gemma2.js';
import { GPT2_MAPPING } from './gpt2.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import { LLAMA_MAPPING } from './llama.js';
import { QWEN2_MAPPING } from './qwen2.js';
import { QWEN3_MAPPING } from './qwen3.js';

/**
 * The decoder architectures Weft loads, by `model_type`, one line per family: each maps
 * `config.json` onto a spec and the checkpoint's tensors onto its parameters (see
 * {@link HuggingFaceMapping}; each family lives in a file of its own).
 */
export const HF_ARCHITECTURES = {
  llama: LLAMA_MAPPING,
  mistral: LLAMA_MAPPING,
  gpt2: GPT2_MAPPING,
  qwen2: QWEN2_MAPPING,
  qwen3: QWEN3_MAPPING,
  gemma2: GEMMA2_MAPPING,
} as const satisfies Readonly<Record<string, HuggingFaceMapping>>;

/** A `model_type` Weft loads. */
export type SupportedHfModelType = keyof typeof HF_ARCHITECTURES;

/** The `model_type`s Weft loads (the keys of {@link HF_ARCHITECTURES}). */
export const SUPPORTED_HF_MODEL_TYPES = Object.keys(HF_ARCHITECTURES) as readonly SupportedHfModelType[];

/** Whether Weft loads `modelType`. */
export function isSupportedHfModelType(modelType: string): modelType is SupportedHfModelType {
  return Object.hasOwn(HF_ARCHITECTURES, modelType);
}

/**
 * The mapping of a supported `model_type`.
 *
 * @example
 * ```ts
 * huggingFaceMapping('gpt2').ignored('h.0.attn.bias', spec); // true: a causal-mask buffer
 * ```
 */
export function huggingFaceMapping(modelType: SupportedHfModelType): HuggingFaceMapping {
  return HF_ARCHITECTURES[modelType];
}

/**
 * Architectures Weft recognizes but does not load yet, and why. Loading one is an
 * UnsupportedError with this reason, never a model with some part left out.
 */
export const UNSUPPORTED_HF_MODEL_TYPES: Readonly<Record<string, string>> = {
  gemma: 'Gemma 1 is not mapped yet (Gemma 2, model_type gemma2, loads)',
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
 * spec.config.maxSeq; // min(max_position_embeddings (n_positions for GPT-2), 512)
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
  const spec = huggingFaceMapping(modelType).spec(reader, maxSeqCap);
  const eosTokenIds = tokenIds(reader.raw('eos_token_id'));
  reader.rejectUnread();
  return { modelType, spec, eosTokenIds };
}
