import type { InterleavedResult } from '@weft/zoo/runner';

/**
 * Prints the table of a small interleaved bench (`bench:subgroups`, `bench:half-storage`): one row
 * per contender with its median, MAD and runs, and its time as a ratio to contender `baseline`
 * (`baselineName` heads that column); a contender that failed gets its error instead.
 */
export function printContenderTable(
  labels: readonly string[],
  results: readonly InterleavedResult[],
  baseline: number,
  baselineName: string,
): void {
  const reference = results[baseline];
  const baselineMs = reference !== undefined && 'timing' in reference ? reference.timing.medianMs : undefined;
  console.log(`contender | median ms | ± MAD ms | runs | time ratio to ${baselineName}`);
  for (const [index, label] of labels.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      console.log(`${label} | failed: ${String(result.error)}`);
      continue;
    }
    const { medianMs, madMs, runs } = result.timing;
    const ratio = baselineMs === undefined ? 'n/a' : `${(medianMs / baselineMs).toFixed(2)}×`;
    console.log(`${label} | ${medianMs.toFixed(2)} | ${madMs.toFixed(2)} | ${runs} | ${ratio}`);
  }
}
