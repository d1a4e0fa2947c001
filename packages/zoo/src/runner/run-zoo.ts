// Entry point of `pnpm zoo` (see `zoo-command.ts`): a wrong command line exits with status 2.
import { WeftError } from '@weft/ir';
import { ZOO_USAGE } from './zoo-arguments.js';
import { runZoo } from './zoo-command.js';

try {
  process.exitCode = await runZoo(process.argv.slice(2));
} catch (error) {
  if (!WeftError.isInstance(error) || error.code !== 'usage') throw error;
  console.error(`${error.message}\n\n${ZOO_USAGE}`);
  process.exitCode = 2;
}
