// Entry point of `pnpm zoo` (see `zoo-command.ts`).
import { runZoo } from './zoo-command.js';

process.exitCode = await runZoo(process.argv.slice(2));
