import { type CommandLineSpec, formatUsage, parseCommandLine } from '@weft/zoo/cli';

/** Options of `pnpm replay`. */
export interface ReplayOptions {
  /** Revision to compare with; undefined: the merge base with main (or HEAD~1). */
  readonly against?: string;
  /** Exit 0 even when kernels changed (the changes are still printed). */
  readonly accept: boolean;
  /** Report-only (verify): print the changes and exit 0 unless generation fails. */
  readonly report: boolean;
  /** Write the report (and the corpus sizes) as JSON to this file. */
  readonly json?: string;
  /** Write the current corpus as JSON to this file. */
  readonly corpusOut?: string;
  /** Leave the per-kernel diffs out of the printed report. */
  readonly noDiffs: boolean;
  /** Print the usage. */
  readonly help: boolean;
}

const REPLAY_COMMAND_LINE: CommandLineSpec = {
  command: 'pnpm replay',
  synopsis: 'pnpm replay [--against REV] [--accept | --report] [--json FILE] [--corpus FILE] [--no-diffs]',
  about: `Generates the WGSL of the kernel corpus (every zoo entry, the demo decoder's programs, every bench
case's fused Weft graph; hardware and software-adapter profiles) and compares it with the corpus of
another revision.`,
  options: [
    {
      name: 'against',
      value: 'REV',
      description: 'revision to compare with (default: git merge-base HEAD main; HEAD~1 when that is HEAD)',
    },
    { name: 'accept', description: 'print the changes but exit 0 (kernels were meant to change)' },
    { name: 'report', description: 'report-only, as pnpm verify runs it: exit 0 unless generation fails' },
    { name: 'json', value: 'FILE', description: 'write the report as JSON' },
    { name: 'corpus', value: 'FILE', description: 'write the current corpus (key -> WGSL) as JSON' },
    { name: 'no-diffs', description: 'list changed kernels without their diffs' },
  ],
  footer: `Exit status: 0 when no kernel changed (or --accept / --report, or no baseline is available), 1 when
kernels changed, 2 on a usage error, and non-zero when generating either corpus fails.`,
};

/** The usage text of `pnpm replay`. */
export const REPLAY_USAGE = formatUsage(REPLAY_COMMAND_LINE);

/**
 * Parses `pnpm replay`'s arguments. Throws a `UsageError` naming the option on an unknown option
 * or a missing value.
 */
export function parseReplayOptions(args: readonly string[]): ReplayOptions {
  const line = parseCommandLine(REPLAY_COMMAND_LINE, args);
  const against = line.string('against');
  const json = line.string('json');
  const corpusOut = line.string('corpus');
  return {
    ...(against === undefined ? {} : { against }),
    ...(json === undefined ? {} : { json }),
    ...(corpusOut === undefined ? {} : { corpusOut }),
    accept: line.flag('accept'),
    report: line.flag('report'),
    noDiffs: line.flag('no-diffs'),
    help: line.flag('help'),
  };
}
