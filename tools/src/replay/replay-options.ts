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

export const REPLAY_USAGE = `usage: pnpm replay [--against REV] [--accept | --report] [--json FILE] [--corpus FILE] [--no-diffs]

Generates the WGSL of the kernel corpus (every zoo entry, the demo decoder's programs, every bench
case's fused Weft graph; hardware and software-adapter profiles) and compares it with the corpus of
another revision.

  --against REV   revision to compare with (default: git merge-base HEAD main; HEAD~1 when that is HEAD)
  --accept        print the changes but exit 0 (kernels were meant to change)
  --report        report-only, as pnpm verify runs it: exit 0 unless generation fails
  --json FILE     write the report as JSON
  --corpus FILE   write the current corpus (key -> WGSL) as JSON
  --no-diffs      list changed kernels without their diffs

Exit status: 0 when no kernel changed (or --accept / --report, or no baseline is available), 1 when
kernels changed, 2 on a usage error, and non-zero when generating either corpus fails.`;

/** A bad command line. */
export class ReplayUsageError extends Error {}

/** Parses `pnpm replay`'s arguments. */
export function parseReplayOptions(args: readonly string[]): ReplayOptions {
  let against: string | undefined;
  let json: string | undefined;
  let corpusOut: string | undefined;
  let accept = false;
  let report = false;
  let noDiffs = false;
  let help = false;
  const value = (index: number, flag: string): string => {
    const next = args[index + 1];
    if (next === undefined || next.startsWith('--')) throw new ReplayUsageError(`${flag} needs a value`);
    return next;
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') continue;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const take = () => inline ?? value(index++, flag);
    switch (flag) {
      case '--against':
        against = take();
        break;
      case '--json':
        json = take();
        break;
      case '--corpus':
        corpusOut = take();
        break;
      case '--accept':
        accept = true;
        break;
      case '--report':
        report = true;
        break;
      case '--no-diffs':
        noDiffs = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new ReplayUsageError(`unknown argument ${arg}`);
    }
  }
  return {
    ...(against === undefined ? {} : { against }),
    ...(json === undefined ? {} : { json }),
    ...(corpusOut === undefined ? {} : { corpusOut }),
    accept,
    report,
    noDiffs,
    help,
  };
}
