import { SpecError } from '../errors.js';

/** A number in graph JSON: plain when JSON can hold it, tagged for NaN, ±Infinity and −0. */
export type NumberJSON = number | { readonly $number: 'NaN' | 'Infinity' | '-Infinity' | '-0' };

/** Encodes a number so that it survives `JSON.stringify` exactly. */
export function numberToJSON(value: number): NumberJSON {
  if (Number.isNaN(value)) return { $number: 'NaN' };
  if (value === Infinity) return { $number: 'Infinity' };
  if (value === -Infinity) return { $number: '-Infinity' };
  if (Object.is(value, -0)) return { $number: '-0' };
  return value;
}

/** Whether `value` is a tagged number. */
export function isTaggedNumber(value: unknown): value is { $number: string } {
  return typeof value === 'object' && value !== null && '$number' in value;
}

/** Decodes a {@link NumberJSON}; throws a {@link SpecError} naming the JSON path otherwise. */
export function numberFromJSON(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (isTaggedNumber(value)) {
    const decoded = TAGS[value.$number];
    if (decoded !== undefined) return decoded;
  }
  throw jsonError(path, 'a number', value);
}

/** The SpecError for an invalid graph JSON document at `path` (e.g. `$.nodes[3].attrs.axis`). */
export function jsonError(path: string, expected: string, actual: unknown): SpecError {
  return new SpecError(`invalid graph JSON at ${path}`, {
    expected,
    actual: actual === undefined ? 'nothing' : actual,
  });
}

const TAGS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
  '-0': -0,
};
