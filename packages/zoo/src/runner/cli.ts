/**
 * `@weft/zoo/cli`: the `pnpm zoo` command (also `weft zoo`), and the command-line parser that
 * Weft's scripts share. Node only (it writes files); `@weft/zoo/runner` is the device side.
 *
 * @packageDocumentation
 */

export { closestNames } from './closest-names.js';
export * from './command-line.js';
export { usePrivateRuntimeDir } from './private-runtime-dir.js';
export * from './progress.js';
export { type RunZooOptions, runZoo } from './zoo-command.js';
