import { parseArgs } from 'node:util';
import { SpecError } from '@weft/ir';

/** The options of `pnpm zoo`. */
export interface ZooArguments {
  /** Write the table as JSON to this file. */
  readonly json?: string;
  /** Run only the entries these filters select (ids, mechanism names or parts of ids); empty: all. */
  readonly only: readonly string[];
  /** Timed runs per entry (the median is reported). */
  readonly runs: number;
  /** Untimed warm-up runs per entry. */
  readonly warmup: number;
  /** Run on the CPU reference backend even where a WebGPU adapter exists. */
  readonly cpu: boolean;
  /** Measure the f32 error budget (kernel vs CPU-f32 error per input class) instead of timing. */
  readonly budget: boolean;
  /** Print the usage and exit. */
  readonly help: boolean;
}

/** Usage text of `pnpm zoo`. */
export const ZOO_USAGE = `Usage: pnpm zoo [--only ID[,ID...]] [--json FILE] [--runs N] [--warmup N] [--cpu] [--budget]

Runs every zoo entry on the available WebGPU device (the CPU reference backend when there is none)
and prints mechanism, catalog paper, kernels, max relative error vs float64 and median ms.
Exits with status 1 when an entry's error exceeds its tolerance.

With --budget it measures the f32 error budget instead (docs/guides/error-budget.md): per entry and
input class (normal, offset, long positions) the kernel's error vs float64, the error of the same
graph evaluated in f32 on the CPU, and their ratio (at most 2). Exits with status 1 when a row
exceeds the budget and is not on the list of known exceptions.

  --only     ids, mechanism names or parts of ids, comma-separated (repeatable)
  --json     also write the table as JSON to FILE
  --runs     timed runs per entry (default 7, at least 5)
  --warmup   untimed warm-up runs per entry (default 2)
  --cpu      use the CPU reference backend
  --budget   measure the f32 error budget (no timing)`;

/** Parses `pnpm zoo`'s command line (without the node and script paths). Throws a `SpecError` on bad values. */
export function parseZooArguments(argv: readonly string[]): ZooArguments {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'string' },
      only: { type: 'string', multiple: true },
      runs: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
      cpu: { type: 'boolean', default: false },
      budget: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = (values.only ?? []).flatMap((list) => list.split(',')).map((filter) => filter.trim());
  return {
    ...(values.json === undefined ? {} : { json: values.json }),
    only: only.filter((filter) => filter !== ''),
    runs: countOption('runs', values.runs, 5),
    warmup: countOption('warmup', values.warmup, 0),
    cpu: values.cpu,
    budget: values.budget,
    help: values.help,
  };
}

function countOption(option: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new SpecError(`pnpm zoo: option --${option} must be an integer ≥ ${minimum}`, {
      expected: `an integer ≥ ${minimum}`,
      actual: text,
    });
  }
  return value;
}
