import type { BenchCase, CaseContext, SystemName } from './bench-case.js';
import { type CaseResult, runCase } from './run-case.js';

/** A progress display of the timed runs of one case (a terminal bar in Node). */
export interface RunsProgress {
  update(done: number): void;
  stop(): void;
}

/** Options of {@link runCases}. */
export interface RunCasesOptions {
  readonly warmup: number;
  readonly repeats: number;
  /** Time budget of one system's timed runs in a case (a slow system then runs fewer). */
  readonly budgetMs: number;
  readonly systems: readonly SystemName[];
  /** Where the progress lines go. */
  readonly log: (line: string) => void;
  /** A progress display for the timed runs of a case; none: only the lines. */
  readonly startRuns?: (label: string, total: number) => RunsProgress;
}

/**
 * Runs `cases` one after another on `context`, printing a line per case and per system (the same
 * report in Node and in the browser page of `pnpm bench --browser`).
 */
export async function runCases(
  cases: readonly BenchCase[],
  context: CaseContext,
  options: RunCasesOptions,
): Promise<CaseResult[]> {
  const { log } = options;
  const results: CaseResult[] = [];
  const started = performance.now();
  for (const [index, benchCase] of cases.entries()) {
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    log(`▸ case ${index + 1}/${cases.length} (${elapsed} s) ${benchCase.name}: ${benchCase.description}`);
    let rounds: RunsProgress | undefined;
    const result = await runCase(benchCase, context, {
      warmup: options.warmup,
      repeats: options.repeats,
      budgetMs: options.budgetMs,
      systems: options.systems,
      onRun: (done, total) => {
        rounds ??= options.startRuns?.(`  ${benchCase.name}`, total);
        rounds?.update(done);
      },
      onSystem: (_, system) => {
        rounds?.stop();
        const time =
          system.timing === undefined
            ? ''
            : ` ${system.timing.medianMs.toFixed(2)} ± ${system.timing.madMs.toFixed(2)} ms (${system.timing.runs} runs)`;
        log(
          `    ${system.system}: ${system.status}${time}${system.note === undefined ? '' : ` (${system.note})`}`,
        );
      },
    }).finally(() => rounds?.stop());
    results.push(result);
  }
  return results;
}
