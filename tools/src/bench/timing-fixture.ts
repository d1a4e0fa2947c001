import type { InterleavedResult } from '@weft/zoo/runner';

/** A measured result of three or more runs, summarized as `measureInterleaved` does (for table tests). */
export function timingOf(samplesMs: readonly number[]): InterleavedResult {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  const deviations = sorted.map((x) => Math.abs(x - medianMs)).sort((a, b) => a - b);
  return {
    timing: {
      medianMs,
      madMs: deviations[Math.floor(deviations.length / 2)]!,
      minMs: sorted[0]!,
      maxMs: sorted[sorted.length - 1]!,
      runs: samplesMs.length,
      samplesMs,
    },
  };
}
