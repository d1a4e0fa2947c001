import { summarizeTimes, type Timing } from './measure.js';

/** One contender of {@link measureInterleaved}: its run and the untimed step before each run. */
export interface InterleavedRun {
  /** One complete run (ending with a wait on the GPU, so that its time is the work's). */
  run(): Promise<unknown>;
  /** Called before every run and left out of its time, e.g. to restore a state. */
  before?(): Promise<unknown>;
}

/** How {@link measureInterleaved} times its contenders. */
export interface InterleavedOptions {
  /** Timed runs per contender. */
  readonly repeats: number;
  /**
   * A contender leaves the rounds once this many milliseconds were spent on its timed runs and it
   * has at least three, so one slow system cannot eat the whole benchmark's time. Default: no limit.
   */
  readonly budgetMs?: number;
}

/**
 * Times several warmed-up contenders in rounds: each round runs every contender still in play once,
 * and the order rotates from round to round (round r starts with contender r mod n), so that a
 * slow phase of the host (another process, a thermal or frequency change, a garbage collection)
 * falls on all of them alike and none always runs first or right after the same neighbour.
 * Returns one result per contender, in the order given: its timing, or the error its `before` or
 * `run` threw (it then leaves the rounds; the others go on).
 */
export async function measureInterleaved(
  contenders: readonly InterleavedRun[],
  options: InterleavedOptions,
): Promise<InterleavedResult[]> {
  const samples = contenders.map((): number[] => []);
  const spent = contenders.map(() => 0);
  const errors = new Map<number, unknown>();
  const repeats = Math.max(1, options.repeats);
  const inPlay = (index: number) =>
    !errors.has(index) &&
    samples[index]!.length < repeats &&
    !(
      options.budgetMs !== undefined &&
      spent[index]! > options.budgetMs &&
      samples[index]!.length >= MIN_SAMPLES
    );
  for (let round = 0; contenders.some((_, index) => inPlay(index)); round++) {
    for (let step = 0; step < contenders.length; step++) {
      const index = (round + step) % contenders.length;
      if (!inPlay(index)) continue;
      const contender = contenders[index]!;
      try {
        await contender.before?.();
        const start = performance.now();
        await contender.run();
        const elapsed = performance.now() - start;
        samples[index]!.push(elapsed);
        spent[index]! += elapsed;
      } catch (error) {
        errors.set(index, error);
      }
    }
  }
  return samples.map((taken, index) =>
    errors.has(index) ? { error: errors.get(index) } : { timing: summarizeTimes(taken) },
  );
}

/** What {@link measureInterleaved} found for one contender: its timing, or the error it threw. */
export type InterleavedResult =
  | { /** Summary of its timed runs. */ readonly timing: Timing }
  | { /** What its `before` or `run` threw. */ readonly error: unknown };

/** Fewest timed runs a contender gets even past its budget (a median of fewer means little). */
const MIN_SAMPLES = 3;
