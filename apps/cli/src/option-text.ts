import type { CAC } from 'cac';

/**
 * Put before an option's value so that cac (through mri) keeps it as the text typed: mri reads any
 * value that looks like a number as one, so `--prompt ""` would arrive as `0` and `--prompt 1e3` as
 * `1000`. {@link unmarkOptionValues} takes the mark off again before the commands see the values.
 */
const TEXT_MARK = '\u0000';

/**
 * The flags (`--tokens`, `-t`) of the options that take a value in the command `args` invoke (its
 * name first) and the global ones: `--json` takes a file in `weft bench` but is a flag in `weft plan`.
 */
export function valueFlagsOf(cli: CAC, args: readonly string[]): Set<string> {
  const invoked = cli.commands.filter((command) => args[0] !== undefined && command.isMatched(args[0]));
  return new Set(
    [cli.globalCommand, ...invoked]
      .flatMap((command) => command.options)
      .filter((option) => option.required !== undefined)
      .flatMap((option) => option.rawName.split(/[\s,]+/).filter((part) => part.startsWith('-'))),
  );
}

/**
 * `args` with the value of each option that takes one marked as text: the argument after the flag
 * (unless it is another option) or the part after `=` (`--json=out.json`).
 */
export function markOptionValues(cli: CAC, args: readonly string[]): string[] {
  const flags = valueFlagsOf(cli, args);
  return args.map((argument, index) => {
    const previous = args[index - 1];
    if (previous !== undefined && flags.has(previous) && !argument.startsWith('-'))
      return `${TEXT_MARK}${argument}`;
    const equals = argument.indexOf('=');
    if (equals > 0 && flags.has(argument.slice(0, equals)))
      return `${argument.slice(0, equals + 1)}${TEXT_MARK}${argument.slice(equals + 1)}`;
    return argument;
  });
}

/** Takes the marks of {@link markOptionValues} off the parsed option values (in place). */
export function unmarkOptionValues(options: Record<string, unknown>): void {
  const unmark = (value: unknown): unknown =>
    typeof value === 'string' && value.startsWith(TEXT_MARK)
      ? value.slice(TEXT_MARK.length)
      : Array.isArray(value)
        ? value.map(unmark)
        : value;
  for (const [name, value] of Object.entries(options)) options[name] = unmark(value);
}
