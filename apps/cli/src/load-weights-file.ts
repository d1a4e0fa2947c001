import { readFile, stat } from 'node:fs/promises';
import { InputError } from '@weft/ir';
import { type LoadedTensor, readSafetensors } from '@weft/models';

/** Largest weights file read, in bytes (2 GiB). */
const MAX_WEIGHTS_BYTES = 2 ** 31;

/**
 * Reads a safetensors weights file, checking its size before reading it.
 *
 * @throws InputError when the file cannot be read or is too large; the safetensors reader's
 * errors for malformed files.
 */
export async function loadWeightsFile(path: string): Promise<Map<string, LoadedTensor>> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new InputError(
      `cannot read weights file "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (size > MAX_WEIGHTS_BYTES) {
    throw new InputError(`weights file "${path}" is too large`, {
      expected: `at most ${MAX_WEIGHTS_BYTES} bytes`,
      actual: size,
    });
  }
  return readSafetensors(await readFile(path));
}
