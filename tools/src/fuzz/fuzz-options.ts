import {
  type CommandLineSpec,
  formatUsage,
  integerOption,
  parseCommandLine,
  UsageError,
} from '@weft/zoo/cli';
import type { DeviceCaseKind } from './fuzz-case.js';

const FUZZ_COMMAND_LINE: CommandLineSpec = {
  command: 'pnpm fuzz',
  synopsis:
    'pnpm fuzz [--cases N] [--seed S] [--invalid N] [--only attention|norm|model] [--replay SEED] [--json FILE]',
  options: [
    {
      name: 'cases',
      value: 'N',
      description:
        'device cases: random attention specs, norm layers and tiny models run on WebGPU\nagainst the float64 reference (default 100; 0 skips the device)',
    },
    {
      name: 'seed',
      value: 'S',
      description: 'run seed (default 1); case i draws from a seed derived from (S, i)',
    },
    {
      name: 'invalid',
      value: 'N',
      description: 'invalid-spec cases (junk JSON model specs and attention options; default 1000)',
    },
    { name: 'only', value: 'KIND', description: 'device cases of one kind' },
    {
      name: 'replay',
      value: 'SEED',
      description: 'run the one device case drawn from SEED (the seed printed with a failure)',
    },
    {
      name: 'minutes',
      value: 'M',
      description: 'start no new device case after M minutes (then report what ran)',
    },
    { name: 'json', value: 'FILE', description: 'write every result as JSON' },
  ],
};

/** The usage text of `pnpm fuzz`. */
export const FUZZ_USAGE = formatUsage(FUZZ_COMMAND_LINE);

/** What `pnpm fuzz` was asked to do. */
export interface FuzzOptions {
  /** Device cases to draw. */
  readonly cases: number;
  /** The run seed. */
  readonly seed: number;
  /** Invalid-spec cases. */
  readonly invalid: number;
  /** Draw device cases of this kind only. */
  readonly only: DeviceCaseKind | undefined;
  /** Run the one device case drawn from this seed. */
  readonly replay: number | undefined;
  /** Write every result as JSON to this file. */
  readonly json: string | undefined;
  /** Start no new device case after this many minutes. */
  readonly minutes: number | undefined;
  /** Print the usage and exit. */
  readonly help: boolean;
}

/**
 * Parses the command line of `pnpm fuzz` (the arguments after the script name). Throws a
 * `UsageError` naming the option on an unknown option or a bad value.
 */
export function parseFuzzOptions(argv: readonly string[]): FuzzOptions {
  const line = parseCommandLine(FUZZ_COMMAND_LINE, argv);
  const integer = (name: string) => {
    const text = line.string(name);
    return text === undefined ? undefined : integerOption(FUZZ_COMMAND_LINE.command, name, text);
  };
  const only = line.string('only');
  if (only !== undefined && only !== 'attention' && only !== 'norm' && only !== 'model')
    throw new UsageError(`pnpm fuzz: --only takes attention, norm or model, got ${only}`);
  return {
    cases: integer('cases') ?? 100,
    seed: integer('seed') ?? 1,
    invalid: integer('invalid') ?? 1000,
    only,
    replay: integer('replay'),
    json: line.string('json'),
    minutes: integer('minutes'),
    help: line.flag('help'),
  };
}
