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

/** Median, minimum and 90th percentile of `samples` (at least one). */
export function summarizeTimes(samples: readonly number[]): Timing {
  if (samples.length === 0) throw new RangeError('summarizeTimes: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const p90Ms = sorted[Math.ceil(0.9 * sorted.length) - 1]!;
  return { medianMs, minMs: sorted[0]!, p90Ms, samplesMs: [...samples] };
}
