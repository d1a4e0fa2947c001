import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { SpecError, UnsupportedError } from '@weft/ir';
import { openCheckpoint } from './checkpoint-files.js';
import { type ReadCheckpointOptions, readRecipeParameters } from './checkpoint-parameters.js';
import { ConfigReader } from './config-reader.js';
import { SUPPORTED_HF_MODEL_TYPES } from './hf-architectures.js';
import type { HuggingFaceEncoderArchitecture } from './hf-encoder-architecture.js';
import {
  HF_ENCODER_FAMILIES,
  HF_ENCODER_MODEL_TYPES,
  type HuggingFaceEncoderModelType,
} from './hf-encoder-families.js';
import { type HuggingFaceTokenizer, loadHuggingFaceTokenizer, TOKENIZER_FILE } from './hf-tokenizer.js';
import { readHuggingFaceConfigJson } from './load-hugging-face-model.js';

/** Options of {@link loadHuggingFaceEncoder}. */
export interface LoadHuggingFaceEncoderOptions extends ReadCheckpointOptions {
  /** Read `tokenizer.json` too (when the directory has one). Default true. */
  readonly tokenizer?: boolean;
}

/** A Hugging Face encoder read from its directory: its architecture, float32 weights, tokenizer. */
export type HuggingFaceEncoder = HuggingFaceEncoderArchitecture & {
  /** The directory it was read from. */
  readonly dir: string;
  /** The parameters by Weft name, float32 (pass as `params` to `compile`). */
  readonly weights: Record<string, Float32Array>;
  /** The tokenizer, when the directory has a `tokenizer.json` (and it was asked for). */
  readonly tokenizer?: HuggingFaceTokenizer;
  /**
   * Stored tensors the encoder does not read, as named in the file: buffers such as
   * `embeddings.position_ids`, and the heads of a task model (`cls.*`, `classifier.*`).
   */
  readonly ignoredTensors: readonly string[];
};

/**
 * Reads a Hugging Face encoder directory — BERT (`BertModel`) or ViT (`ViTModel`), also from the
 * checkpoints of their task models (`bert.`/`vit.` prefixes; the heads are listed in
 * `ignoredTensors`) — onto Weft's encoder or ViT definition. `config.json` is mapped field by
 * field (a field that changes the math and cannot be honoured, or an unknown one, is an
 * UnsupportedError naming it); the checkpoint's tensors are checked by name, shape and dtype
 * against the definition before any data is read, then read one at a time and widened to float32.
 *
 * Graph inputs: BERT `tokens`, `tokenTypes` `[batch, seq]` and `lengths` `[batch]` (Hugging
 * Face's `attention_mask` for right-padded batches: keys at or past the length are masked); ViT
 * `pixels` `[batch, channels, height, width]` at `image_size`. Outputs `hidden`
 * (`last_hidden_state`) and, when the checkpoint has a pooler, `pooled` (`pooler_output`).
 *
 * @throws InputError when the directory or a file is missing or unreadable; UnsupportedError for
 * a `model_type` or config field Weft cannot express; SpecError for malformed files and for
 * tensors that are missing, unexpected or misshapen (named as in the checkpoint, with the file).
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention/kernels';
 * import { compile } from '@weft/runtime';
 *
 * const hf = await loadHuggingFaceEncoder('./bert-base-uncased');
 * const program = await compile(buildHuggingFaceEncoderGraph(hf), { device, params: hf.weights, extensions: [attention] });
 * const ids = hf.tokenizer!.encode('Hello world');
 * const { hidden, pooled } = await program.run(
 *   { tokens: Int32Array.from(ids), tokenTypes: new Int32Array(ids.length), lengths: Int32Array.of(ids.length) },
 *   { dims: { seq: ids.length } },
 * );
 * ```
 */
export async function loadHuggingFaceEncoder(
  dir: string,
  options: LoadHuggingFaceEncoderOptions = {},
): Promise<HuggingFaceEncoder> {
  const reader = encoderConfigReader(await readHuggingFaceConfigJson(dir));
  const family = HF_ENCODER_FAMILIES[reader.modelType as HuggingFaceEncoderModelType];
  const checkpoint = await openCheckpoint(dir);
  let architecture: HuggingFaceEncoderArchitecture;
  let weights: Record<string, Float32Array>;
  let ignoredTensors: string[];
  try {
    const plan = family.plan(reader, new Set(checkpoint.tensors.keys()));
    reader.rejectUnread();
    architecture = plan.architecture;
    weights = await readRecipeParameters(checkpoint, plan.recipes, plan.ignored, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    const used = new Set(plan.recipes.flatMap((recipe) => recipe.parts.map((part) => part.source)));
    ignoredTensors = [...checkpoint.tensors.keys()].filter((name) => !used.has(name)).sort();
  } finally {
    await checkpoint.close();
  }
  const tokenizer =
    options.tokenizer === false || !(await exists(join(dir, TOKENIZER_FILE)))
      ? undefined
      : await loadHuggingFaceTokenizer(dir);
  return { ...architecture, dir, weights, ignoredTensors, ...(tokenizer === undefined ? {} : { tokenizer }) };
}

/** A reader of `config.json` whose `model_type` is an encoder family. */
function encoderConfigReader(config: unknown): ConfigReader {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new SpecError('config.json must hold a JSON object', { actual: typeof config });
  const record = config as Readonly<Record<string, unknown>>;
  const modelType = record.model_type;
  const expected = `one of ${HF_ENCODER_MODEL_TYPES.join(', ')}`;
  if (typeof modelType !== 'string')
    throw new SpecError('config.json: "model_type" is missing', { tensor: 'model_type', expected });
  if (!(HF_ENCODER_MODEL_TYPES as readonly string[]).includes(modelType)) {
    const decoder = (SUPPORTED_HF_MODEL_TYPES as readonly string[]).includes(modelType);
    throw new UnsupportedError(
      decoder
        ? `config.json: model_type "${modelType}" is a decoder: load it with loadHuggingFaceModel`
        : `config.json: model_type "${modelType}" is not an encoder Weft loads`,
      { tensor: 'model_type', expected, actual: modelType },
    );
  }
  return new ConfigReader(record, modelType);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
