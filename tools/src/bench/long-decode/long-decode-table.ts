import type { InterleavedResult } from '@weft/zoo/runner';

/**
 * A table of the contenders' timings: median, spread (median absolute deviation) and range, and each one's ratio to contender 1
 * (the short baseline); the first line is the ratio the issue targets (contender 0 over 1).
 */
export function formatLongDecodeTable(
  contenders: readonly { readonly label: string; readonly slots: number; readonly dispatches: number }[],
  results: readonly InterleavedResult[],
): string {
  const baseline = results[1];
  const baselineMs = baseline !== undefined && 'timing' in baseline ? baseline.timing.medianMs : undefined;
  const lines = [
    'contender | KV slots | dispatches | median ms | ± MAD ms | min–max ms | runs | ratio to baseline',
  ];
  for (const [index, contender] of contenders.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      lines.push(
        `${contender.label} | ${contender.slots} | ${contender.dispatches} | failed: ${String(result.error)}`,
      );
      continue;
    }
    const { medianMs, madMs, minMs, maxMs, runs } = result.timing;
    const ratio = baselineMs === undefined ? 'n/a' : `${(medianMs / baselineMs).toFixed(2)}×`;
    lines.push(
      `${contender.label} | ${contender.slots} | ${contender.dispatches} | ${medianMs.toFixed(3)} | ${madMs.toFixed(3)} | ${minMs.toFixed(3)}–${maxMs.toFixed(3)} | ${runs} | ${ratio}`,
    );
  }
  return lines.join('\n');
}
