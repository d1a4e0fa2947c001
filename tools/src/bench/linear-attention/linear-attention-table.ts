import type { InterleavedResult } from '@weft/zoo/runner';

/**
 * The contenders' timings (median, spread as the median absolute deviation, range, runs, dispatches), then each targeted ratio of
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
  const lines = ['contender | dispatches | median ms | ± MAD ms | min–max ms | runs'];
  for (const [index, contender] of contenders.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      lines.push(`${contender.label} | ${contender.dispatches} | failed: ${String(result.error)}`);
      continue;
    }
    const { medianMs, madMs, minMs, maxMs, runs } = result.timing;
    median.set(contender.label, medianMs);
    lines.push(
      `${contender.label} | ${contender.dispatches} | ${medianMs.toFixed(3)} | ${madMs.toFixed(3)} | ${minMs.toFixed(3)}–${maxMs.toFixed(3)} | ${runs}`,
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
