import type { InterleavedResult } from '../measure-interleaved.js';

/**
 * The contenders' timings (median, min–p90 spread, runs, dispatches), then each targeted ratio of
 * medians (slower over faster) beside its target.
 */
export function formatLinearBenchTable(
  contenders: readonly { readonly label: string; readonly dispatches: number }[],
  results: readonly InterleavedResult[],
  ratios: readonly {
    readonly label: string;
    readonly slower: string;
    readonly faster: string;
    readonly target: string;
  }[],
): string {
  const median = new Map<string, number>();
  const lines = ['contender | dispatches | median ms | min–p90 ms | runs'];
  for (const [index, contender] of contenders.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      lines.push(`${contender.label} | ${contender.dispatches} | failed: ${String(result.error)}`);
      continue;
    }
    const { medianMs, minMs, p90Ms, samplesMs } = result.timing;
    median.set(contender.label, medianMs);
    lines.push(
      `${contender.label} | ${contender.dispatches} | ${medianMs.toFixed(3)} | ${minMs.toFixed(3)}–${p90Ms.toFixed(3)} | ${samplesMs.length}`,
    );
  }
  lines.push('', 'ratio | measured | target');
  for (const ratio of ratios) {
    const slower = median.get(ratio.slower);
    const faster = median.get(ratio.faster);
    const measured =
      slower === undefined || faster === undefined ? 'n/a' : `${(slower / faster).toFixed(2)}×`;
    lines.push(`${ratio.label} | ${measured} | ${ratio.target}`);
  }
  return lines.join('\n');
}
