import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli-io.js';

/** The example specs that ship with weft (`apps/cli/examples`, in the package beside `dist`). */
export const BUNDLED_EXAMPLES_DIR = fileURLToPath(new URL('../examples/', import.meta.url));

/** `examples/NAME.json` (or `./examples/NAME.json`), as the help's examples name them. */
const EXAMPLE_PATH = /^(?:\.[\\/])?examples[\\/]([\w.-]+\.json)$/;

/**
 * The path of the spec `path` names. A path that exists is taken as it is; `examples/NAME.json`
 * that does not exist here names the example shipped with weft, so that the help's examples run
 * from any directory — and says so on stderr, with the file it reads.
 */
export async function resolveSpecPath(path: string, io: CliIo): Promise<string> {
  if (await exists(path)) return path;
  const name = EXAMPLE_PATH.exec(path)?.[1];
  if (name === undefined) return path;
  const bundled = join(BUNDLED_EXAMPLES_DIR, name);
  if (!(await exists(bundled))) return path;
  io.err(`weft: no ${path} in this directory: using the example that ships with weft, ${bundled}`);
  return bundled;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
