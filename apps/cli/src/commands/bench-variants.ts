import { measureInterleaved, type Timing } from '@weft/zoo/runner';

/** The two builds `weft bench` compares: fused kernels, and one kernel per op. */
export const VARIANTS = ['fused', 'unfused'] as const;

/** A measured time of `weft bench`: median, spread and run count, in ms. */
export interface BenchTime {
  /** Median of the timed runs. */
  readonly medianMs: number;
  /** Median absolute deviation of the timed runs from the median. */
  readonly madMs: number;
  /** Timed runs. */
  readonly runs: number;
}

/**
 * Times `runs` (one per variant, in {@link VARIANTS} order) after one warm-up run each, interleaved:
 * every round runs both, in an order that alternates (see `measureInterleaved`), so that a slow
 * phase of the host falls on both alike. `onRun` is called after each timed run (for the progress).
 */
export async function timeVariants(
  runs: readonly (() => Promise<unknown>)[],
  repeats: number,
  onRun: () => void,
): Promise<BenchTime[]> {
  for (const run of runs) await run();
  const results = await measureInterleaved(
    runs.map((run) => ({ run })),
    { repeats, onRun },
  );
  return results.map((result) => {
    if ('error' in result) throw result.error;
    return benchTime(result.timing);
  });
}

function benchTime({ medianMs, madMs, runs }: Timing): BenchTime {
  return { medianMs, madMs, runs };
}

/** `median ± spread` with one decimal, e.g. `12.3 ± 0.4`. */
export function formatBenchTime(time: BenchTime): string {
  return `${time.medianMs.toFixed(1)} ± ${time.madMs.toFixed(1)}`;
}
