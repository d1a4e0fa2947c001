// The one command-line parser of Weft's scripts: `pnpm zoo` here, and `pnpm bench`, `pnpm fuzz`,
// `pnpm soak` and `pnpm replay` in tools/ (which sit above `@weft/zoo` and import it from
// `@weft/zoo/cli`); the `weft` CLI uses cac directly for its subcommands. It parses with cac and
// prints a usage text built from the same option list, so help and parser cannot drift apart.
import { WeftError } from '@weft/ir';
import { cac } from 'cac';

/** One option of a command line. */
export interface CommandOption {
  /** The long name without dashes (`runs`, `no-diffs`). */
  readonly name: string;
  /** The value's placeholder in the usage (`N`, `FILE`); absent for a flag. */
  readonly value?: string;
  /** A one-letter alias (`h`). */
  readonly short?: string;
  /** What it does; a `\n` starts a continuation line in the usage. */
  readonly description: string;
}

/** A command's usage and options, for {@link parseCommandLine} and {@link formatUsage}. */
export interface CommandLineSpec {
  /** The command as typed (`pnpm zoo`), named in errors. */
  readonly command: string;
  /** The synopsis after `Usage: `. */
  readonly synopsis: string;
  /** Paragraphs between the synopsis and the options. */
  readonly about?: string;
  /** The options; `--help` (`-h`) is added to every command. */
  readonly options: readonly CommandOption[];
  /** Text after the options. */
  readonly footer?: string;
}

/** The parsed options of a command line. */
export interface ParsedCommandLine {
  /** The option's value (the last one when given more than once); undefined when absent. */
  string(name: string): string | undefined;
  /** Every value of a repeatable option, in order. */
  strings(name: string): readonly string[];
  /** Whether a flag was given (`no-x` flags: whether `--no-x` was given). */
  flag(name: string): boolean;
}

/** A wrong command line: an unknown option, a missing or bad value. Commands exit with status 2. */
export class UsageError extends WeftError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Prefixed to values so that cac keeps them as text (no number parses with it). */
const TEXT_MARK = '\u0000';
/** A negative number (`-3`, `-0.5`): the value of an option, not an option of its own. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
const HELP: CommandOption = { name: 'help', short: 'h', description: 'show this text' };

/**
 * Parses `argv` (the arguments after the script name) against `spec` with cac. A `--` is skipped
 * (pnpm passes it through); values may follow their option or be inline (`--json=out.json`).
 * Throws a {@link UsageError} naming the option for an unknown option, a value option without a
 * value, or a positional argument.
 */
export function parseCommandLine(spec: CommandLineSpec, argv: readonly string[]): ParsedCommandLine {
  const args = argv.filter((argument) => argument !== '--');
  const options = [...spec.options, HELP];
  // cac reads a missing value as `true`, and a numeric-looking value as a number (`007` → 7): find
  // missing values first, as cac would (the option is last, or the next argument starts with a
  // dash and is not a negative number, which the option's check then rejects with its range), and
  // mark every value as text for cac (TEXT_MARK, removed again below).
  const valueOption = (argument: string | undefined) =>
    options.find((option) => option.value !== undefined && argument === `--${option.name}`);
  const marked = args.map((argument, index) => {
    const option = valueOption(argument);
    const next = args[index + 1];
    if (option !== undefined && (next === undefined || (next.startsWith('-') && !NEGATIVE_NUMBER.test(next))))
      throw new UsageError(`${spec.command}: --${option.name} needs a value`);
    if (valueOption(args[index - 1]) !== undefined) return `${TEXT_MARK}${argument}`;
    const inline = argument.indexOf('=');
    return inline > 0 && valueOption(argument.slice(0, inline)) !== undefined
      ? `${argument.slice(0, inline + 1)}${TEXT_MARK}${argument.slice(inline + 1)}`
      : argument;
  });
  const cli = cac(spec.command);
  for (const option of options) {
    const flags = `${option.short === undefined ? '' : `-${option.short}, `}--${option.name}`;
    if (option.value === undefined) cli.option(flags, option.description);
    else
      cli.option(`${flags} <value>`, option.description, {
        type: [(value: unknown) => String(value).replace(TEXT_MARK, '')],
      });
  }
  try {
    cli.parse(['node', spec.command, ...marked], { run: false });
    cli.globalCommand.checkUnknownOptions();
    cli.globalCommand.checkOptionValue();
  } catch (error) {
    if (error instanceof Error && error.name === 'CACError')
      throw new UsageError(`${spec.command}: ${error.message}`);
    throw error;
  }
  if (cli.args.length > 0) throw new UsageError(`${spec.command}: unexpected argument ${cli.args[0]}`);
  const parsed = cli.options;
  const values = (name: string): string[] => (parsed[camelCase(name)] as string[] | undefined) ?? [];
  return {
    string: (name) => values(name).at(-1),
    strings: values,
    flag: (name) =>
      name.startsWith('no-') ? parsed[camelCase(name.slice(3))] === false : parsed[camelCase(name)] === true,
  };
}

/** The usage text: `Usage: synopsis`, the paragraphs, one aligned line per option, the footer. */
export function formatUsage(spec: CommandLineSpec): string {
  const options = [...spec.options, HELP];
  const label = (option: CommandOption) =>
    `--${option.name}${option.value === undefined ? '' : ` ${option.value}`}`;
  const width = Math.max(...options.map((option) => label(option).length));
  const lines = options.flatMap((option) =>
    option.description
      .split('\n')
      .map((text, index) => `  ${(index === 0 ? label(option) : '').padEnd(width)}  ${text}`),
  );
  return [
    `Usage: ${spec.synopsis}`,
    ...(spec.about === undefined ? [] : [spec.about]),
    lines.join('\n'),
    ...(spec.footer === undefined ? [] : [spec.footer]),
  ].join('\n\n');
}

/** A parsed count: an integer ≥ `minimum`, else a {@link UsageError} naming the option. */
export function integerOption(command: string, name: string, text: string, minimum = 0): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${command}: --${name} must be an integer ≥ ${minimum} (got ${text})`);
  }
  return value;
}

/** Comma-separated values, trimmed, empty ones dropped. */
export function listOption(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
