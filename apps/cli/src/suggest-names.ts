import { closestNames } from '@weft/zoo/cli';
import type { CAC } from 'cac';

/** `; did you mean "a" or "b"?` for the names nearest to `given`, or nothing when none is near. */
function didYouMean(given: string, names: readonly string[]): string {
  const near = closestNames(given, names, 2);
  return near.length === 0 ? '' : `; did you mean ${near.map((name) => `"${name}"`).join(' or ')}?`;
}

/** The message for an unknown command, with the nearest command names (`weft rn` → "run"). */
export function unknownCommandMessage(cli: CAC, given: string): string {
  const names = cli.commands.map((command) => command.name).filter((name) => name !== '');
  return `weft: unknown command "${given}"${didYouMean(given, names)}`;
}

/**
 * cac's unknown-option message (`Unknown option \`--tokns\``) with the nearest options of the
 * command it was given to (`; did you mean "--tokens"?`); other messages as they are.
 */
export function withOptionSuggestion(cli: CAC, message: string): string {
  const unknown = /^Unknown option `--([^`]+)`$/.exec(message);
  if (unknown === null) return message;
  // cac names the option in camelCase (`--topPp`): compare in the kebab-case it was typed in.
  const given = unknown[1]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  const commands = [cli.globalCommand, ...(cli.matchedCommand === undefined ? [] : [cli.matchedCommand])];
  const flags = commands
    .flatMap((command) => command.options)
    .flatMap((option) => option.rawName.split(/[\s,]+/))
    .filter((part) => part.startsWith('--'))
    .map((flag) => flag.slice(2));
  const suggestion = didYouMean(given, flags).replace(/"([^"]+)"/g, '"--$1"');
  return `${message}${suggestion}`;
}
