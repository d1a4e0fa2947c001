// Entry point of `pnpm zoo` (see `zoo-command.ts`): a wrong command line exits with status 2, a
// wrong value (an `--only` that selects nothing) with status 1 and its message.
import { WeftError } from '@weft/ir';
import { usePrivateRuntimeDir } from './private-runtime-dir.js';
import { ZOO_USAGE } from './zoo-arguments.js';
import { runZoo } from './zoo-command.js';

usePrivateRuntimeDir();
try {
  process.exitCode = await runZoo(process.argv.slice(2));
} catch (error) {
  if (!WeftError.isInstance(error)) throw error;
  if (error.code === 'usage') {
    console.error(`${error.message}\n\n${ZOO_USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error.message);
    process.exitCode = 1;
  }
}
