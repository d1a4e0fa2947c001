import { InputError } from '@weft/ir';

// The checks of the commands' numeric options, run before a spec is compiled or weights are read,
// so that a wrong value fails at once with the flag and its allowed range.

/** A value as cac gives it: a number, text, `true` for a missing value, or an array when repeated. */
type RawValue = unknown;

/** The last value of a repeated option (cac collects them in an array), as given. */
function lastValue(value: RawValue): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}

function toNumber(value: unknown): number {
  return typeof value === 'number'
    ? value
    : typeof value === 'string' && value.trim() !== ''
      ? Number(value)
      : Number.NaN;
}

function rejectValue(flag: string, range: string, value: unknown): never {
  throw new InputError(`${flag} must be ${range}, got ${String(value)}`);
}

/**
 * `value` of `flag` as an integer ≥ `minimum`.
 *
 * @throws InputError `--tokens must be an integer ≥ 1, got -3`.
 */
export function integerOption(flag: string, value: RawValue, minimum: number): number {
  const given = lastValue(value);
  const number = toNumber(given);
  if (!Number.isSafeInteger(number) || number < minimum) rejectValue(flag, `an integer ≥ ${minimum}`, given);
  return number;
}

/**
 * `value` of `flag` as a number that `accepts`; `range` describes them in the error.
 *
 * @throws InputError `--top-p must be a number in (0, 1], got 3`.
 */
export function numberOption(
  flag: string,
  value: RawValue,
  range: string,
  accepts: (number: number) => boolean,
): number {
  const given = lastValue(value);
  const number = toNumber(given);
  if (!Number.isFinite(number) || !accepts(number)) rejectValue(flag, range, given);
  return number;
}

/** `value` of `flag` when it is one of `choices`. @throws InputError naming them otherwise. */
export function choiceOption<const Choice extends string>(
  flag: string,
  value: RawValue,
  choices: readonly Choice[],
): Choice {
  const given = lastValue(value);
  if (!choices.includes(given as Choice)) rejectValue(flag, `one of ${choices.join(', ')}`, given);
  return given as Choice;
}
