import {
  type CommandLineSpec,
  formatUsage,
  integerOption,
  listOption,
  parseCommandLine,
  UsageError,
} from '@weft/zoo/cli';
import { SYSTEM_NAMES, type SystemName } from './bench-case.js';

/** What `pnpm bench` was asked to do. */
export interface BenchOptions {
  /** Write all results as JSON to this file. */
  readonly json?: string;
  /** Case names or groups to run; empty runs all. */
  readonly only: readonly string[];
  /** Systems to run. Default all. */
  readonly systems: readonly SystemName[];
  /** Timed runs per system and case. */
  readonly repeats: number;
  /** Untimed warm-up runs per system and case. */
  readonly warmup: number;
  /** Smaller sizes and fewer runs (a few minutes on a software adapter). */
  readonly quick: boolean;
  /** N of the block-sparse (MoBA) cases; default 4096, 1024 with `quick`. */
  readonly blockSparseN?: number;
  /** Run the cases in headless Chromium (its WebGPU, the peers loaded in the page) instead of Node. */
  readonly browser: boolean;
  /** Print the usage and exit. */
  readonly help: boolean;
}

const BENCH_COMMAND_LINE: CommandLineSpec = {
  command: 'pnpm bench',
  synopsis: 'pnpm bench [options]',
  options: [
    { name: 'json', value: 'FILE', description: 'write all results to FILE as JSON' },
    {
      name: 'only',
      value: 'NAME[,NAME]',
      description:
        'run only these cases or groups (e.g. matmul, layer-norm, attention-n128-causal, compile-time)',
    },
    {
      name: 'systems',
      value: 'NAME[,NAME]',
      description: `run only these systems (${SYSTEM_NAMES.join(', ')})`,
    },
    {
      name: 'repeats',
      value: 'N',
      description: 'timed runs per system, in rounds across systems (default 11; 7 with --quick)',
    },
    {
      name: 'warmup',
      value: 'N',
      description: 'untimed warm-up runs per system (default 5; 3 with --quick)',
    },
    { name: 'quick', description: 'smaller sizes and fewer runs' },
    {
      name: 'browser',
      description: "run the cases in headless Chromium's WebGPU, with tfjs and onnxruntime-web in the page",
    },
    {
      name: 'block-sparse-n',
      value: 'N',
      description: 'sequence length of the block-sparse MoBA cases (default 4096; 1024 with --quick)',
    },
  ],
};

/** The usage text of `pnpm bench`. */
export const BENCH_USAGE = formatUsage(BENCH_COMMAND_LINE);

/**
 * Parses the command line of `pnpm bench` (the arguments after the script name). Throws a
 * `UsageError` naming the option on an unknown option or a bad value.
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const line = parseCommandLine(BENCH_COMMAND_LINE, argv);
  const quick = line.flag('quick');
  const json = line.string('json');
  const count = (name: string, fallback: number, minimum: number) => {
    const text = line.string(name);
    return text === undefined ? fallback : integerOption(BENCH_COMMAND_LINE.command, name, text, minimum);
  };
  return {
    ...(json === undefined ? {} : { json }),
    only: listOption(line.strings('only')),
    systems: systemList(line.string('systems')),
    repeats: count('repeats', quick ? 7 : 11, 1),
    warmup: count('warmup', quick ? 3 : 5, 0),
    quick,
    ...(line.string('block-sparse-n') === undefined
      ? {}
      : { blockSparseN: count('block-sparse-n', 4096, 512) }),
    browser: line.flag('browser'),
    help: line.flag('help'),
  };
}

function systemList(value: string | undefined): SystemName[] {
  if (value === undefined) return [...SYSTEM_NAMES];
  return listOption([value]).map((name) => {
    if (!(SYSTEM_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `pnpm bench: unknown system "${name}"; expected one of ${SYSTEM_NAMES.join(', ')}`,
      );
    }
    return name as SystemName;
  });
}
