import { Bench, type Statistics, type Task } from 'tinybench';
import { RoundRobinTurns } from './round-robin-turns.js';

/** What a benchmark reports of one contender's timed runs, in milliseconds. */
export interface Timing {
  /** The median: the number to report and compare. */
  readonly medianMs: number;
  /** The spread: median absolute deviation from the median. */
  readonly madMs: number;
  /** The fastest run. */
  readonly minMs: number;
  /** The slowest run. */
  readonly maxMs: number;
  /** Timed runs behind the numbers. */
  readonly runs: number;
  /** Every timed run, in the order taken. */
  readonly samplesMs: readonly number[];
}

/** One contender of {@link measureInterleaved}: its run and the untimed step before each run. */
export interface InterleavedRun {
  /** One complete run (ending with a wait on the GPU, so that its time is the work's). */
  run(): Promise<unknown>;
  /** Called before every run and left out of its time, e.g. to restore a state. */
  before?(): Promise<unknown>;
}

/** How {@link measureInterleaved} times its contenders. */
export interface InterleavedOptions {
  /** Timed runs per contender (at least 1). */
  readonly repeats: number;
  /**
   * A contender leaves the rounds once this many milliseconds were spent on its timed runs and it
   * has at least three, so one slow system cannot eat the whole benchmark's time. Default: no limit.
   */
  readonly budgetMs?: number;
  /** Called after every timed run: `done` of `total` runs over all contenders (for a progress display). */
  readonly onRun?: (done: number, total: number) => void;
}

/** What {@link measureInterleaved} found for one contender: its timing, or the error it threw. */
export type InterleavedResult =
  | { /** Summary of its timed runs. */ readonly timing: Timing }
  | { /** What its `before` or `run` threw. */ readonly error: unknown };

/** Fewest timed runs a contender gets even past its budget (a median of fewer means little). */
const MIN_SAMPLES = 3;

/**
 * Times several warmed-up contenders in rounds: each round runs every contender still in play once,
 * and the order rotates from round to round (round r starts with contender r mod n), so that a
 * slow phase of the host (another process, a thermal or frequency change, a garbage collection)
 * falls on all of them alike and none always runs first or right after the same neighbour.
 *
 * The runs are driven and summarized by tinybench: one task per contender, the tasks running side
 * by side and taking turns (so that one runs at a time, in the rotating order); each run reports
 * its own time (`overriddenDuration`, the `before` step left out), and tinybench's latency
 * statistics give the median, the spread (median absolute deviation) and the run count.
 * Returns one result per contender, in the order given: its timing, or the error its `before` or
 * `run` threw (it then leaves the rounds; the others go on).
 *
 * @example
 * ```ts
 * const [fused, unfused] = await measureInterleaved(
 *   [{ run: () => fusedProgram.dispatch(inputs) }, { run: () => unfusedProgram.dispatch(inputs) }],
 *   { repeats: 20 },
 * );
 * if ('timing' in fused) console.log(fused.timing.medianMs, fused.timing.madMs, fused.timing.runs);
 * ```
 */
export async function measureInterleaved(
  contenders: readonly InterleavedRun[],
  options: InterleavedOptions,
): Promise<InterleavedResult[]> {
  const repeats = Math.max(1, Math.floor(options.repeats));
  const turns = new RoundRobinTurns(contenders.length);
  const bench = new Bench({
    iterations: repeats,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: false,
  });
  const inOrder = contenders.map((): number[] => []);
  const total = repeats * contenders.length;
  let done = 0;
  const tasks = contenders.map((contender, index): Task => {
    const budget = new AbortController();
    let spent = 0;
    bench.add(
      String(index),
      async () => {
        await turns.take(index);
        let elapsed: number;
        try {
          await contender.before?.();
          const start = performance.now();
          await contender.run();
          elapsed = performance.now() - start;
        } finally {
          turns.pass(index);
        }
        inOrder[index]!.push(elapsed);
        spent += elapsed;
        options.onRun?.(++done, total);
        if (
          options.budgetMs !== undefined &&
          spent > options.budgetMs &&
          inOrder[index]!.length >= MIN_SAMPLES
        )
          budget.abort();
        return { overriddenDuration: elapsed };
      },
      { async: true, signal: budget.signal },
    );
    return bench.getTask(String(index))!;
  });
  await Promise.all(tasks.map((task, index) => task.run().finally(() => turns.leave(index))));
  return tasks.map((task, index) => {
    const result = task.result;
    if (result.state === 'errored') return { error: result.error };
    if ('latency' in result) return { timing: timingOf(result.latency, inOrder[index]!) };
    return { error: new Error(`the benchmark task ended as ${result.state}`) };
  });
}

function timingOf(latency: Statistics, samplesMs: readonly number[]): Timing {
  return {
    medianMs: latency.p50,
    madMs: latency.mad,
    minMs: latency.min,
    maxMs: latency.max,
    runs: latency.samplesCount,
    samplesMs,
  };
}
