import { readFile, stat } from 'node:fs/promises';
import { InputError } from '@weft/ir';
import { parseSpecDocumentJSON, type SpecDocument } from '@weft/models';
import { readHuggingFaceConfig } from '@weft/models/hf';
import { refuseBinarySpec } from './refuse-binary-spec.js';

/** Largest spec file read, in bytes: specs are small documents. */
const MAX_SPEC_BYTES = 10_000_000;

/**
 * Reads and validates a model spec file (schema version 1 or 2, any kind), or maps the `config.json` of a
 * Hugging Face model directory onto a spec (weights are not read).
 *
 * @throws InputError when the file cannot be read; SpecError (with JSON paths) when it is invalid;
 * the Hugging Face mapping's errors for a directory.
 */
export async function loadSpecFile(
  path: string,
  options: { readonly maxSeq?: number } = {},
): Promise<SpecDocument> {
  if (await isDirectory(path)) return (await readHuggingFaceConfig(path, options)).spec;
  let text: string;
  try {
    const bytes = await readFile(path);
    refuseBinarySpec(path, bytes);
    if (bytes.length > MAX_SPEC_BYTES) {
      throw new InputError(`spec file "${path}" is too large`, {
        expected: `at most ${MAX_SPEC_BYTES} bytes`,
        actual: bytes.length,
      });
    }
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `cannot read spec file "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseSpecDocumentJSON(text);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
