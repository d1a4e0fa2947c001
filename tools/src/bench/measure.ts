/** How {@link measure} times a run. */
export interface MeasureOptions {
  /** Untimed runs first (pipeline compilation, allocation, caches). */
  readonly warmup: number;
  /** Timed runs. */
  readonly repeats: number;
  /**
   * Stop timing early once this many milliseconds were spent on timed runs and at least three
   * were taken, so one slow system cannot eat the whole benchmark's time. Default: no limit.
   */
  readonly budgetMs?: number;
  /** Called before every run (warm-up and timed) and left out of its time, e.g. to restore a state. */
  readonly before?: () => Promise<unknown>;
}

/** Summary of timed runs, in milliseconds. */
export interface Timing {
  /** The median: the number to report and compare. */
  readonly medianMs: number;
  /** The fastest run. */
  readonly minMs: number;
  /** The 90th percentile (nearest rank). */
  readonly p90Ms: number;
  /** Every timed run, in the order taken. */
  readonly samplesMs: readonly number[];
}

/**
 * Times `run` (which must end with a readback or another wait on the GPU, so that the time is the
 * work's and not just its submission): `warmup` untimed runs, then `repeats` timed ones, each
 * after an untimed call of `before` when given.
 */
export async function measure(run: () => Promise<unknown>, options: MeasureOptions): Promise<Timing> {
  for (let index = 0; index < options.warmup; index++) {
    await options.before?.();
    await run();
  }
  const samples: number[] = [];
  let spent = 0;
  for (let index = 0; index < Math.max(1, options.repeats); index++) {
    await options.before?.();
    const start = performance.now();
    await run();
    const elapsed = performance.now() - start;
    samples.push(elapsed);
    spent += elapsed;
    if (options.budgetMs !== undefined && spent > options.budgetMs && samples.length >= MIN_SAMPLES) break;
  }
  return summarizeTimes(samples);
}

/** Median, minimum and 90th percentile of `samples` (at least one). */
export function summarizeTimes(samples: readonly number[]): Timing {
  if (samples.length === 0) throw new RangeError('summarizeTimes: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p90Ms = sorted[Math.ceil(0.9 * sorted.length) - 1]!;
  return { medianMs, minMs: sorted[0]!, p90Ms, samplesMs: [...samples] };
}

const MIN_SAMPLES = 3;
