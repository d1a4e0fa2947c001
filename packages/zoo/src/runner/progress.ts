import { SingleBar } from 'cli-progress';

/** A text stream progress is written to (`process.stderr` by default). */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** Whether the stream is a terminal: a bar redrawn in place there, plain lines elsewhere. */
  readonly isTTY?: boolean;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `compiling` or `zoo`. */
  readonly label: string;
  /** Steps in all. */
  readonly total: number;
  /** What a step is, after the count (`entries`, `tokens`); default none. */
  readonly unit?: string;
  /** Where to write; default `process.stderr`. */
  readonly stream?: ProgressStream;
}

/** A running progress display; {@link startProgress} makes one. */
export interface Progress {
  /** `done` steps are finished; `detail` names the last one (an entry id, a stage). */
  update(done: number, detail?: string): void;
  /** All steps are done: draws the last state and ends the line (stops the bar's timer). */
  finish(detail?: string): void;
  /**
   * Ends the display where it is, e.g. when a step threw (the terminal bar's redraw timer would
   * otherwise keep the process alive); nothing after {@link Progress.finish}.
   */
  stop(): void;
}

/** Plain lines per step up to this many steps; past it, one line per tenth. */
const EVERY_STEP_UP_TO = 20;

/**
 * Shows the progress of `total` steps with their count and the elapsed time. On a terminal it is a
 * bar redrawn in place (cli-progress), `compiling [████░░░░] 2/3 | 0s | decoder program`, whose
 * elapsed time keeps counting between steps; elsewhere (a pipe, a CI log) it writes plain lines,
 * `compiling: 2/3 decoder program (0.4 s)`, one per step (one per tenth past 20 steps).
 *
 * @example
 * ```ts
 * const progress = startProgress({ label: 'zoo', total: entries.length, unit: 'entries' });
 * for (const [index, entry] of entries.entries()) {
 *   await measure(entry);
 *   progress.update(index + 1, entry.id);
 * }
 * progress.finish();
 * ```
 */
export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  return stream.isTTY === true ? terminalBar(options, stream) : plainLines(options, stream);
}

function terminalBar(options: ProgressOptions, stream: ProgressStream): Progress {
  const unit = options.unit === undefined ? '' : ` ${options.unit}`;
  const bar = new SingleBar({
    format: `${options.label} [{bar}] {value}/{total}${unit} | {duration_formatted} | {detail}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: 24,
    hideCursor: false,
    // cli-progress types its stream as a tty.WriteStream; it only writes and reads isTTY/columns.
    stream: stream as NodeJS.WritableStream,
  });
  bar.start(Math.max(options.total, 0), 0, { detail: '' });
  let running = true;
  const stop = () => {
    if (running) bar.stop();
    running = false;
  };
  return {
    update: (done, detail) => {
      if (running) bar.update(done, { detail: detail ?? '' });
    },
    finish: (detail) => {
      if (running) bar.update(options.total, { detail: detail ?? 'done' });
      stop();
    },
    stop,
  };
}

function plainLines(options: ProgressOptions, stream: ProgressStream): Progress {
  const started = performance.now();
  const unit = options.unit === undefined ? '' : ` ${options.unit}`;
  let lastWritten = -1;
  const write = (done: number, detail: string | undefined) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const what = detail === undefined || detail === '' ? '' : ` ${detail}`;
    stream.write(`${options.label}: ${done}/${options.total}${unit}${what} (${seconds} s)\n`);
    lastWritten = done;
  };
  const tenth = (done: number) => Math.floor((10 * done) / Math.max(options.total, 1));
  return {
    update: (done, detail) => {
      if (done === lastWritten) return;
      if (
        options.total <= EVERY_STEP_UP_TO ||
        tenth(done) !== tenth(Math.max(lastWritten, 0)) ||
        done === options.total
      )
        write(done, detail);
    },
    finish: (detail) => {
      if (lastWritten !== options.total) write(options.total, detail);
    },
    stop: () => {},
  };
}

/**
 * `work`'s result, after finishing `progress` (with `detail` of the result as the last step's
 * text) — or, when `work` throws, after stopping it where it is.
 *
 * @example
 * ```ts
 * const generating = startProgress({ label: 'generating', total: 16, unit: 'tokens' });
 * const result = await finishProgressWith(
 *   generating,
 *   model.generate(prompt, { maxTokens: 16, onToken: (_token, index) => generating.update(index + 1) }),
 *   (generated) => generated.stopReason,
 * );
 * ```
 */
export async function finishProgressWith<T>(
  progress: Progress | undefined,
  work: Promise<T>,
  detail?: (result: T) => string,
): Promise<T> {
  try {
    const result = await work;
    progress?.finish(detail?.(result));
    return result;
  } finally {
    progress?.stop();
  }
}
