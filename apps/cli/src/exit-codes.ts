/** Process exit codes of the `weft` command. */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The input (spec, weights file) is invalid or unreadable. */
  invalidInput: 1,
  /** The command line itself is wrong (unknown command or option, missing argument). */
  usage: 2,
  /** An unexpected internal failure. */
  internal: 70,
} as const;
