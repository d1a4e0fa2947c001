/**
 * `@weft/zoo/cli`: the `pnpm zoo` runner (also `weft zoo`), and the command-line parser that
 * Weft's scripts share.
 *
 * @packageDocumentation
 */

export * from './command-line.js';
export { runZoo } from './zoo-command.js';
