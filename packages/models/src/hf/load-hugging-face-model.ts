import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@weft/ir';
import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import { openCheckpoint } from './checkpoint-files.js';
import { readCheckpointParameters } from './checkpoint-parameters.js';
import type { SupportedHfModelType } from './hf-architectures.js';
import {
  type HuggingFaceArchitecture,
  type HuggingFaceSpecOptions,
  modelSpecFromHuggingFaceConfig,
} from './hf-architectures.js';
import { type HuggingFaceTokenizer, loadHuggingFaceTokenizer, TOKENIZER_FILE } from './hf-tokenizer.js';

/** The config file of a Hugging Face model directory. */
export const HF_CONFIG_FILE = 'config.json';

/** Largest `config.json` read, in bytes (configs are a few KB). */
const MAX_CONFIG_BYTES = 10_000_000;

/** Options of {@link loadHuggingFaceModel}. */
export interface LoadHuggingFaceModelOptions extends HuggingFaceSpecOptions {
  /** Read `tokenizer.json` too (when the directory has one). Default true. */
  readonly tokenizer?: boolean;
  /** Called after each parameter is read, with how many are done of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A Hugging Face model read from its directory, ready for `compileModel`. */
export interface HuggingFaceModel {
  /** The directory it was read from. */
  readonly dir: string;
  /** Its `model_type`. */
  readonly modelType: SupportedHfModelType;
  /** The equivalent Weft model spec (version 1 or 2, see `HuggingFaceArchitecture`). */
  readonly spec: AnyModelSpec;
  /** The parameters by Weft name, float32 (pass as `weights` to `compileModel`). */
  readonly weights: Record<string, Float32Array>;
  /** The tokenizer, when the directory has a `tokenizer.json` (and it was asked for). */
  readonly tokenizer?: HuggingFaceTokenizer;
  /** End-of-sequence ids of `config.json` and `generation_config.json` (stop tokens for `generate`). */
  readonly eosTokenIds: readonly number[];
}

/**
 * Reads a Hugging Face model directory: `config.json` mapped onto a Weft spec (see
 * `modelSpecFromHuggingFaceConfig` for what is supported), the weights from `model.safetensors`
 * or the shards of `model.safetensors.index.json` (F32/F16/BF16, read tensor by tensor and
 * widened to float32; names, shapes and dtypes checked against the spec before any data is read),
 * `tokenizer.json` when present, and the stop tokens of `config.json` and `generation_config.json`.
 *
 * @throws InputError when the directory or a file is missing or unreadable; UnsupportedError for
 * an architecture or config field Weft cannot express; SpecError for malformed files and for
 * tensors that are missing, unexpected or misshapen (named as in the checkpoint).
 *
 * @example
 * ```ts
 * const hf = await loadHuggingFaceModel('./SmolLM-135M', { maxSeq: 512 });
 * const model = await compileModel(hf.spec, { device: 'auto', weights: hf.weights });
 * const { tokens } = await model.generate(hf.tokenizer!.encode('Once upon a time'), { maxTokens: 20, stop: hf.eosTokenIds });
 * console.log(hf.tokenizer!.decode(tokens));
 * ```
 */
export async function loadHuggingFaceModel(
  dir: string,
  options: LoadHuggingFaceModelOptions = {},
): Promise<HuggingFaceModel> {
  const architecture = await readHuggingFaceConfig(dir, options);
  const checkpoint = await openCheckpoint(dir);
  let weights: Record<string, Float32Array>;
  try {
    weights = await readCheckpointParameters(checkpoint, architecture, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } finally {
    await checkpoint.close();
  }
  const tokenizer =
    options.tokenizer === false || !(await isFile(join(dir, TOKENIZER_FILE)))
      ? undefined
      : await loadHuggingFaceTokenizer(dir);
  const eosTokenIds = [...new Set([...architecture.eosTokenIds, ...(await generationEosIds(dir))])];
  return { dir, ...architecture, eosTokenIds, weights, ...(tokenizer === undefined ? {} : { tokenizer }) };
}

/** The generation defaults file, whose `eos_token_id` may list more stop tokens (chat models). */
export const HF_GENERATION_CONFIG_FILE = 'generation_config.json';

/** `eos_token_id` of `generation_config.json` (one id or a list); none when the file is absent. */
async function generationEosIds(dir: string): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(join(dir, HF_GENERATION_CONFIG_FILE), 'utf8');
  } catch {
    return [];
  }
  let ids: unknown;
  try {
    ids = (JSON.parse(text) as { eos_token_id?: unknown } | null)?.eos_token_id;
  } catch (cause) {
    throw new InputError(
      `"${join(dir, HF_GENERATION_CONFIG_FILE)}" is not JSON: ${(cause as Error).message}`,
    );
  }
  const list = Array.isArray(ids) ? ids : [ids];
  return list.filter((id): id is number => Number.isSafeInteger(id) && (id as number) >= 0);
}

/**
 * Reads and maps a model directory's `config.json` only (no weights): the spec to plan or
 * estimate memory with.
 *
 * @throws InputError when the directory has no readable `config.json` or it is not JSON; the
 * mapping's errors (see `modelSpecFromHuggingFaceConfig`).
 *
 * @example
 * ```ts
 * const { spec, modelType } = await readHuggingFaceConfig('./SmolLM-135M');
 * ```
 */
export async function readHuggingFaceConfig(
  dir: string,
  options: HuggingFaceSpecOptions = {},
): Promise<HuggingFaceArchitecture> {
  return modelSpecFromHuggingFaceConfig(await readHuggingFaceConfigJson(dir), options);
}

/**
 * Reads and parses a model directory's `config.json`, whatever the architecture.
 *
 * @throws InputError when the directory has no readable `config.json` or it is not JSON.
 *
 * @example
 * ```ts
 * const config = await readHuggingFaceConfigJson('./bert-base-uncased');
 * ```
 */
export async function readHuggingFaceConfigJson(dir: string): Promise<unknown> {
  if (!(await isDirectory(dir)))
    throw new InputError(`"${dir}" is not a directory`, { expected: 'a Hugging Face model directory' });
  const path = join(dir, HF_CONFIG_FILE);
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES)
      throw new InputError(`"${path}" is too large`, {
        expected: `at most ${MAX_CONFIG_BYTES} bytes`,
        actual: bytes.length,
      });
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `"${dir}" has no ${HF_CONFIG_FILE}: not a Hugging Face model directory`
        : `cannot read "${path}": ${code ?? (error as Error).message}`,
      { expected: `${HF_CONFIG_FILE} with model.safetensors (or model.safetensors.index.json)` },
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InputError(`"${path}" is not JSON: ${(cause as Error).message}`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
