/** A text stream the progress bar draws on (`process.stderr` by default). */
export interface ProgressStream {
  /** Writes text without a newline. */
  write(text: string): unknown;
  /** Whether the stream is a terminal; bars are only drawn on terminals. */
  readonly isTTY?: boolean;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Number of steps that make 100%. */
  readonly total: number;
  /** Text after the bar, e.g. `compiling`. */
  readonly label: string;
  /** Where to draw; default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** Width of the bar in characters; default 24. */
  readonly width?: number;
}

/** A progress bar that redraws one line in place. */
export interface ProgressBar {
  /** Sets the number of completed steps and redraws. */
  update(done: number): void;
  /** Draws 100% and ends the line. */
  finish(): void;
}

/**
 * Creates a one-line progress bar on stderr: `[##########--------------]  42% compiling`.
 * It writes nothing when the stream is not a terminal, so piped and captured output stays clean.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const width = options.width ?? 24;
  const enabled = stream.isTTY === true;
  let last = '';
  const draw = (done: number): void => {
    const line = formatProgressBar(done, options.total, width, options.label);
    if (!enabled || line === last) return;
    last = line;
    stream.write(`\r${line}`);
  };
  return {
    update: draw,
    finish: () => {
      draw(options.total);
      if (enabled) stream.write('\n');
    },
  };
}

/** Formats one progress line; `done` is clamped to `[0, total]`. */
export function formatProgressBar(done: number, total: number, width: number, label: string): string {
  const fraction = total > 0 ? Math.min(Math.max(done / total, 0), 1) : 1;
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${label}`;
}
