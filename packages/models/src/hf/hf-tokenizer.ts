import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError, SpecError } from '@weft/ir';
import { createTextStream, type TextStream } from './text-stream.js';

/** A tokenizer read from a Hugging Face `tokenizer.json` (with `tokenizer_config.json` when present). */
export interface HuggingFaceTokenizer {
  /** Token ids of `text`, with the special tokens the tokenizer adds (e.g. a leading BOS). */
  encode(text: string): number[];
  /** Text of `ids`, special tokens left out. */
  decode(ids: readonly number[]): string;
  /** A decoder for tokens arriving one at a time (see {@link TextStream}). */
  createStream(): TextStream;
  /** The id of a token string, e.g. `</s>`, when the vocabulary has it. */
  tokenId(token: string): number | undefined;
}

/** The tokenizer file Hugging Face writes. */
export const TOKENIZER_FILE = 'tokenizer.json';

/** The optional file with the tokenizer's settings (special tokens, BOS/EOS flags). */
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/**
 * Builds a tokenizer from the parsed contents of `tokenizer.json` (and `tokenizer_config.json`)
 * with `@huggingface/tokenizers` (BPE, WordPiece, Unigram; byte-level and Metaspace decoders).
 *
 * @throws SpecError when the library rejects the tokenizer description.
 *
 * @example
 * ```ts
 * const tokenizer = huggingFaceTokenizer(JSON.parse(await readFile('tokenizer.json', 'utf8')));
 * tokenizer.decode(tokenizer.encode('hello world')); // 'hello world'
 * ```
 */
export function huggingFaceTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown = {},
): HuggingFaceTokenizer {
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
  } catch (cause) {
    throw new SpecError(`${TOKENIZER_FILE}: not a tokenizer this library reads: ${(cause as Error).message}`);
  }
  // The library refuses an empty list; its text is empty.
  const decode = (ids: readonly number[]) =>
    ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: true });
  return {
    encode: (text) => tokenizer.encode(text).ids,
    decode,
    createStream: () => createTextStream(decode),
    tokenId: (token) => tokenizer.token_to_id(token),
  };
}

/**
 * Reads the tokenizer of a Hugging Face model directory: `tokenizer.json`, plus
 * `tokenizer_config.json` when it exists.
 *
 * @throws InputError when `tokenizer.json` is missing or not JSON; SpecError when the library
 * rejects it.
 *
 * @example
 * ```ts
 * const tokenizer = await loadHuggingFaceTokenizer('./SmolLM-135M');
 * const ids = tokenizer.encode('The capital of France is');
 * ```
 */
export async function loadHuggingFaceTokenizer(dir: string): Promise<HuggingFaceTokenizer> {
  const tokenizerJson = await readJson(join(dir, TOKENIZER_FILE), true);
  const tokenizerConfig = (await readJson(join(dir, TOKENIZER_CONFIG_FILE), false)) ?? {};
  return huggingFaceTokenizer(tokenizerJson, tokenizerConfig);
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new InputError(
      code === 'ENOENT'
        ? `"${path}" does not exist`
        : `cannot read "${path}": ${code ?? (error as Error).message}`,
      { expected: 'a Hugging Face tokenizer file' },
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InputError(`"${path}" is not JSON: ${(cause as Error).message}`);
  }
}
