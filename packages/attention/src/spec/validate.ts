import { SpecError, type TensorRef } from '@weft/ir';

/**
 * Checks at the boundary of the public builders: every options object, option value and spec part
 * a caller passes is checked here before use, so that junk (null, a string for a number, a forged
 * part) gives a `SpecError` naming the builder and the option instead of a TypeError later.
 */

/** The largest i32: sizes that reach WGSL as i32 must not exceed it. */
export const I32_MAX = 2_147_483_647;

/** A short description of a value's type for messages: `null`, `array`, `string "4"`, `number NaN`, ... */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return 'an object';
}

function fail(builder: string, what: string, expected: string, value: unknown): never {
  throw new SpecError(`${builder}: ${what} must be ${expected}`, {
    actual: describeValue(value),
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Checks the options object of `builder`: a plain object (or undefined, unless `required`) whose
 * own keys are all in `allowed` (an unknown key is refused with the list of allowed ones).
 */
export function checkOptions(
  builder: string,
  options: unknown,
  allowed: readonly string[],
  required = false,
): void {
  if (options === undefined && !required) return;
  if (!isPlainObject(options)) fail(builder, 'the options', 'an object', options);
  for (const key of Object.keys(options))
    if (!allowed.includes(key))
      throw new SpecError(`${builder}: unknown option "${key}" (allowed: ${allowed.join(', ')})`);
}

/** Bounds of a numeric option. */
export interface NumberRule {
  /** Must be an integer. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
}

function ruleText(rule: NumberRule): string {
  const what = rule.integer ? 'an integer' : 'a finite number';
  const low =
    rule.above !== undefined ? ['(', rule.above] : rule.min !== undefined ? ['[', rule.min] : undefined;
  if (low !== undefined && rule.max !== undefined) return `${what} in ${low[0]}${low[1]}, ${rule.max}]`;
  if (low !== undefined) return `${what} ${low[0] === '(' ? '>' : '>='} ${low[1]}`;
  if (rule.max !== undefined) return `${what} <= ${rule.max}`;
  return what;
}

/**
 * Checks that `value` is a finite number (an integer with `rule.integer`) within the rule's bounds;
 * `what` names it in the message, e.g. `option "eps"`.
 */
export function checkNumber(builder: string, what: string, value: unknown, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) fail(builder, what, ruleText(rule), value);
  return value as number;
}

/** An i32 size: an integer in [`min`, 2^31 − 1]. */
export function checkSize(builder: string, what: string, value: unknown, min = 1): number {
  return checkNumber(builder, what, value, { integer: true, min, max: I32_MAX });
}

/** Checks that `value` is one of `allowed` (strings or numbers, compared with ===). */
export function checkOneOf<T extends string | number>(
  builder: string,
  what: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T))
    fail(builder, what, `one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`, value);
  return value as T;
}

/** Checks that `value` is a boolean. */
export function checkBoolean(builder: string, what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(builder, what, 'a boolean', value);
  return value as boolean;
}

/** Whether `value` has the shape of a `tensorRef(...)`: a name, a shape of integers, a dtype and `at`. */
export function isTensorRef(value: unknown): value is TensorRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Partial<Record<keyof TensorRef, unknown>>;
  return (
    typeof ref.name === 'string' &&
    Array.isArray(ref.shape) &&
    ref.shape.every((size) => Number.isSafeInteger(size) && size >= 0) &&
    typeof ref.dtype === 'string' &&
    typeof ref.at === 'function'
  );
}

/** Checks that `value` is a tensor reference (`tensorRef(name, shape)`). */
export function checkTensorRef(builder: string, what: string, value: unknown): TensorRef {
  if (!isTensorRef(value)) fail(builder, what, 'a tensor reference (tensorRef(name, shape))', value);
  return value as TensorRef;
}

/** Spec parts made by this package's builders (masks, score mods, positions, QK norms, normalizers, head layouts). */
const GENUINE_PARTS = new WeakSet<object>();

/** Records `part` as made by a builder (call on the frozen part a builder returns). */
export function genuinePart<T extends object>(part: T): T {
  GENUINE_PARTS.add(part);
  return part;
}

/**
 * Checks that `value` is a spec part of `kind` made by a builder: an object that only carries the
 * `kind` (a forged `{ kind: 'mask' }`) is refused, naming `what` and the builders to use.
 */
export function checkPart<T extends { readonly kind: string }>(
  builder: string,
  what: string,
  value: unknown,
  kind: T['kind'],
  builders: string,
): T {
  if (typeof value === 'object' && value !== null && GENUINE_PARTS.has(value) && (value as T).kind === kind)
    return value as T;
  const made =
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind
      ? `an object with kind "${kind}" that no builder made`
      : describeValue(value);
  throw new SpecError(`${builder}: ${what} must come from ${builders}`, {
    actual: made,
  });
}
