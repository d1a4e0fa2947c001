import {
  type CommandLineSpec,
  formatUsage,
  integerOption,
  listOption,
  parseCommandLine,
} from './command-line.js';

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

const ZOO_COMMAND_LINE: CommandLineSpec = {
  command: 'pnpm zoo',
  synopsis: 'pnpm zoo [--only ID[,ID...]] [--json FILE] [--runs N] [--warmup N] [--cpu] [--budget]',
  about: `Runs every zoo entry on the available WebGPU device (the CPU reference backend when there is none)
and prints mechanism, catalog paper, kernels, max relative error vs float64 and median ms.
Exits with status 1 when an entry's error exceeds its tolerance.

With --budget it measures the f32 error budget instead (docs/guides/error-budget.md): per entry and
input class (normal, offset, long positions) the kernel's error vs float64, the error of the same
graph evaluated in f32 on the CPU, and their ratio (at most 2). Exits with status 1 when a row
exceeds the budget and is not on the list of known exceptions.`,
  options: [
    {
      name: 'only',
      value: 'ID[,ID...]',
      description: 'ids, mechanism names or parts of ids, comma-separated (repeatable)',
    },
    { name: 'json', value: 'FILE', description: 'also write the table as JSON to FILE' },
    { name: 'runs', value: 'N', description: 'timed runs per entry (default 7, at least 5)' },
    { name: 'warmup', value: 'N', description: 'untimed warm-up runs per entry (default 2)' },
    { name: 'cpu', description: 'use the CPU reference backend' },
    { name: 'budget', description: 'measure the f32 error budget (no timing)' },
  ],
  footer: 'Exit status 2: a wrong command line.',
};

/** Usage text of `pnpm zoo`. */
export const ZOO_USAGE = formatUsage(ZOO_COMMAND_LINE);

/**
 * Parses `pnpm zoo`'s command line (without the node and script paths). Throws a `UsageError`
 * naming the option, and `command` (the command as the user typed it: `pnpm zoo`, `weft zoo`), on
 * an unknown option or a bad value.
 */
export function parseZooArguments(argv: readonly string[], command = ZOO_COMMAND_LINE.command): ZooArguments {
  const line = parseCommandLine({ ...ZOO_COMMAND_LINE, command }, argv);
  const json = line.string('json');
  const count = (name: string, fallback: string, minimum: number) =>
    integerOption(command, name, line.string(name) ?? fallback, minimum);
  return {
    ...(json === undefined ? {} : { json }),
    only: listOption(line.strings('only')),
    runs: count('runs', '7', 5),
    warmup: count('warmup', '2', 0),
    cpu: line.flag('cpu'),
    budget: line.flag('budget'),
    help: line.flag('help'),
  };
}
