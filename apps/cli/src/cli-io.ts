import type { ProgressStream } from './progress-bar.js';

/** Where the CLI writes: one line per call. */
export interface CliIo {
  /** Where progress bars are drawn (default `process.stderr`; bars appear only on terminals). */
  readonly progress?: ProgressStream;
  /** Writes a line of regular output (stdout). */
  out(line: string): void;
  /** Writes a line of diagnostics (stderr). */
  err(line: string): void;
  /**
   * Writes text to stdout without a line break (streamed generation). Without it, streamed text
   * is collected and written with `out` when the stream ends.
   */
  write?(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  write: (text) => process.stdout.write(text),
};
