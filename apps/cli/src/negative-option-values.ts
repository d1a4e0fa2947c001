import type { CAC } from 'cac';
import { valueFlagsOf } from './option-text.js';

/** A negative number (`-3`, `-0.5`, `-1 2`): a value, not an option of its own. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `args` with each negative number that follows an option taking a value joined to it
 * (`--tokens -3` → `--tokens=-3`). cac would read `-3` as an unknown option `-3`; joined, the value
 * reaches the option's own check, which names the flag and its allowed range.
 */
export function joinNegativeOptionValues(cli: CAC, args: readonly string[]): string[] {
  const valueFlags = valueFlagsOf(cli, args);
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    const next = args[index + 1];
    if (valueFlags.has(argument) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${argument}=${next}`);
      index++;
    } else joined.push(argument);
  }
  return joined;
}
