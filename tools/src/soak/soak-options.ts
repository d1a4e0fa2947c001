import { type CommandLineSpec, formatUsage, integerOption, parseCommandLine } from '@weft/zoo/cli';

const SOAK_COMMAND_LINE: CommandLineSpec = {
  command: 'pnpm soak',
  synopsis: 'pnpm soak [--cycles N] [--generations N] [--quick]',
  options: [
    {
      name: 'cycles',
      value: 'N',
      description: 'compile/run/destroy cycles of small programs (default 2000)',
    },
    {
      name: 'generations',
      value: 'N',
      description: 'generations of a tiny decoder LM, 4 new tokens each (default 500)',
    },
    { name: 'quick', description: '200 cycles and 50 generations' },
  ],
  footer: `The cycles' baseline is taken after a warm-up of a tenth of the cycles (V8 tier-up).
Heap figures are after a full GC only when node runs with --expose-gc (the pnpm script does).`,
};

/** The usage text of `pnpm soak`. */
export const SOAK_USAGE = formatUsage(SOAK_COMMAND_LINE);

/** What `pnpm soak` was asked to do. */
export interface SoakOptions {
  /** Compile/run/destroy cycles of small programs. */
  readonly cycles: number;
  /** Generations of the tiny decoder LM. */
  readonly generations: number;
  /** Print the usage and exit. */
  readonly help: boolean;
}

/**
 * Parses the command line of `pnpm soak` (the arguments after the script name); `--quick` sets
 * the counts that `--cycles` and `--generations` do not. Throws a `UsageError` naming the option
 * on an unknown option or a bad value.
 */
export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  const line = parseCommandLine(SOAK_COMMAND_LINE, argv);
  const quick = line.flag('quick');
  const count = (name: string, fallback: number) => {
    const text = line.string(name);
    return text === undefined ? fallback : integerOption(SOAK_COMMAND_LINE.command, name, text);
  };
  return {
    cycles: count('cycles', quick ? 200 : 2000),
    generations: count('generations', quick ? 50 : 500),
    help: line.flag('help'),
  };
}
