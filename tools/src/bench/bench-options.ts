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
  /** Print the usage and exit. */
  readonly help: boolean;
}

/** The usage text of `pnpm bench`. */
export const BENCH_USAGE = `Usage: pnpm bench [options]
  --json FILE            write all results to FILE as JSON
  --only NAME[,NAME]     run only these cases or groups (e.g. matmul, layer-norm, attention-n128-causal)
  --systems NAME[,NAME]  run only these systems (${SYSTEM_NAMES.join(', ')})
  --repeats N            timed runs per system, in rounds across systems (default 11; 7 with --quick)
  --warmup N             untimed warm-up runs per system (default 5; 3 with --quick)
  --quick                smaller sizes and fewer runs
  --help                 show this text`;

/** Parses the command line of `pnpm bench` (the arguments after the script name). */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') continue;
    const [name, inline] = argument.split('=', 2) as [string, string | undefined];
    if (name === '--quick' || name === '--help' || name === '-h') {
      flags.add(name === '-h' ? '--help' : name);
    } else if (['--json', '--only', '--systems', '--repeats', '--warmup'].includes(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || value.startsWith('--')) throw new BenchUsageError(`${name} needs a value`);
      values.set(name, value);
    } else {
      throw new BenchUsageError(`unknown option ${argument}`);
    }
  }
  const quick = flags.has('--quick');
  const json = values.get('--json');
  return {
    ...(json === undefined ? {} : { json }),
    only: list(values.get('--only')),
    systems: systemList(values.get('--systems')),
    repeats: count('--repeats', values.get('--repeats'), quick ? 7 : 11, 1),
    warmup: count('--warmup', values.get('--warmup'), quick ? 3 : 5, 0),
    quick,
    help: flags.has('--help'),
  };
}

/** A command-line mistake: the message says which option and why. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function list(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}

function systemList(value: string | undefined): SystemName[] {
  if (value === undefined) return [...SYSTEM_NAMES];
  return list(value).map((name) => {
    if (!(SYSTEM_NAMES as readonly string[]).includes(name)) {
      throw new BenchUsageError(`unknown system "${name}"; expected one of ${SYSTEM_NAMES.join(', ')}`);
    }
    return name as SystemName;
  });
}

function count(option: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    throw new BenchUsageError(`${option} expects an integer >= ${minimum}, got "${value}"`);
  }
  return parsed;
}
