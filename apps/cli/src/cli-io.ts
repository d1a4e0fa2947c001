import type { ProgressStream } from '@weft/zoo/cli';

/** Where the CLI writes: one line per call. */
export interface CliIo {
  /**
   * Where progress goes (default `process.stderr`): a bar redrawn in place on a terminal, plain
   * lines elsewhere.
   */
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
