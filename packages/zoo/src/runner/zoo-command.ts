import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isKnownOverBudget } from '../budget/known-over-budget.js';
import type { ZooEntry } from '../zoo-entry.js';
import { formatBudgetSummary, formatBudgetTable } from './format-budget-table.js';
import { formatZooTable } from './format-zoo-table.js';
import { type BudgetMeasurement, measureErrorBudget } from './measure-error-budget.js';
import { measureZooEntry, type ZooMeasurement } from './measure-zoo-entry.js';
import { type Progress, type ProgressStream, startProgress } from './progress.js';
import { selectZooEntries } from './select-zoo-entries.js';
import { parseZooArguments, ZOO_USAGE } from './zoo-arguments.js';
import { acquireZooDevice, type ZooDevice } from './zoo-device.js';

/** Options of {@link runZoo}. */
export interface RunZooOptions {
  /** The command as the user typed it, named in errors (default `pnpm zoo`; `weft zoo` from the CLI). */
  readonly command?: string;
  /**
   * Where the progress goes (default `process.stderr`): a bar with the entry count and the elapsed
   * time on a terminal, one plain line per entry elsewhere.
   */
  readonly progress?: ProgressStream;
}

/**
 * `pnpm zoo`: runs the selected zoo entries on the available device, prints the table, writes it as
 * JSON with `--json FILE`, and resolves to the exit status (1 when an entry exceeds its tolerance).
 * A wrong command line throws a `UsageError` (the callers exit with status 2); an `--only` filter
 * that selects nothing, a `SpecError` (status 1).
 */
export async function runZoo(argv: readonly string[], runOptions: RunZooOptions = {}): Promise<number> {
  const options = parseZooArguments(argv, runOptions.command);
  if (options.help) {
    console.log(ZOO_USAGE);
    return 0;
  }
  const entries = selectZooEntries(options.only, runOptions.command);
  const zooDevice = await acquireZooDevice(options.cpu);
  const progress = (label: string) =>
    startProgress({
      label,
      total: entries.length,
      unit: 'entries',
      ...(runOptions.progress === undefined ? {} : { stream: runOptions.progress }),
    });
  if (options.budget) return runBudget(entries, zooDevice, options.json, progress('zoo --budget'));
  console.log(`${zooDevice.summary}\n${options.warmup} warm-up + ${options.runs} timed runs per entry\n`);
  const measurements: ZooMeasurement[] = [];
  const shown = progress('zoo');
  try {
    for (const entry of entries) {
      measurements.push(
        await measureZooEntry(entry, {
          device: zooDevice.device,
          warmupRuns: options.warmup,
          timedRuns: options.runs,
        }),
      );
      shown.update(measurements.length, entry.id);
    }
    shown.finish();
  } finally {
    shown.stop();
  }
  if (zooDevice.device !== 'cpu') zooDevice.device.destroy();
  console.log(formatZooTable(measurements));
  const failed = measurements.filter((measurement) => !measurement.passed);
  console.log(`\n${measurements.length - failed.length} of ${measurements.length} entries within tolerance`);
  if (options.json !== undefined) {
    const report = { device: zooDevice.summary, adapter: zooDevice.adapter ?? null, entries: measurements };
    // `pnpm zoo` runs in packages/zoo: a relative path means relative to where pnpm was invoked.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), options.json);
    // NaN (an output with NaN) becomes null in JSON.
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
  return failed.length === 0 ? 0 : 1;
}

/** `pnpm zoo --budget`: the error-budget table; status 1 when a row exceeds it and is not a known exception. */
async function runBudget(
  entries: readonly ZooEntry[],
  zooDevice: ZooDevice,
  json: string | undefined,
  progress: Progress,
): Promise<number> {
  console.log(`${zooDevice.summary}\nf32 error budget: normal, offset and long-position inputs\n`);
  const rows: BudgetMeasurement[] = [];
  try {
    for (const [index, entry] of entries.entries()) {
      rows.push(...(await measureErrorBudget(entry, { device: zooDevice.device })));
      progress.update(index + 1, entry.id);
    }
    progress.finish();
  } finally {
    progress.stop();
  }
  if (zooDevice.device !== 'cpu') zooDevice.device.destroy();
  console.log(formatBudgetTable(rows));
  console.log(`\n${formatBudgetSummary(rows)}`);
  const unexpected = rows.filter(
    (row) => row.status === 'measured' && !row.withinBudget && !isKnownOverBudget(row.id, row.inputClass),
  );
  for (const row of unexpected)
    console.log(`over budget and not a known exception: ${row.id} (${row.inputClass})`);
  if (json !== undefined) {
    const report = { device: zooDevice.summary, adapter: zooDevice.adapter ?? null, rows };
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), json);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
  return unexpected.length === 0 ? 0 : 1;
}
