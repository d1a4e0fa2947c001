import type { InterleavedResult } from '../measure-interleaved.js';

/**
 * A table of the contenders' timings: median, min–p90 spread, and each one's ratio to contender 1
 * (the short baseline); the first line is the ratio the issue targets (contender 0 over 1).
 */
export function formatLongDecodeTable(
  contenders: readonly { readonly label: string; readonly slots: number; readonly dispatches: number }[],
  results: readonly InterleavedResult[],
): string {
  const baseline = results[1];
  const baselineMs = baseline !== undefined && 'timing' in baseline ? baseline.timing.medianMs : undefined;
  const lines = ['contender | KV slots | dispatches | median ms | min–p90 ms | runs | ratio to baseline'];
  for (const [index, contender] of contenders.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      lines.push(
        `${contender.label} | ${contender.slots} | ${contender.dispatches} | failed: ${String(result.error)}`,
      );
      continue;
    }
    const { medianMs, minMs, p90Ms, samplesMs } = result.timing;
    const ratio = baselineMs === undefined ? 'n/a' : `${(medianMs / baselineMs).toFixed(2)}×`;
    lines.push(
      `${contender.label} | ${contender.slots} | ${contender.dispatches} | ${medianMs.toFixed(3)} | ${minMs.toFixed(3)}–${p90Ms.toFixed(3)} | ${samplesMs.length} | ${ratio}`,
    );
  }
  return lines.join('\n');
}
