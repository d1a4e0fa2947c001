import { readFile } from 'node:fs/promises';
import { InputError } from '@weft/ir';
import { type AnyModelSpec, parseModelSpecJSON } from '@weft/models';

/** Largest spec file read, in bytes: specs are small documents. */
const MAX_SPEC_BYTES = 10_000_000;

/**
 * Reads and validates a model spec file (schema version 1 or 2).
 *
 * @throws InputError when the file cannot be read; SpecError (with JSON paths) when it is invalid.
 */
export async function loadSpecFile(path: string): Promise<AnyModelSpec> {
  let text: string;
  try {
    const bytes = await readFile(path);
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
  return parseModelSpecJSON(text);
}
