// What an invalid-spec fuzz case is, and the junk values cases put where a spec wants a number or a name.

/** How an invalid-spec case ended. */
export type InvalidOutcome =
  /** A `WeftError` (what every invalid spec must give). */
  | 'typed'
  /** Something else was thrown: TypeError, RangeError, a stack overflow... */
  | 'untyped'
  /** Nothing was thrown although the spec is invalid by construction. */
  | 'accepted';

/** One generated invalid spec. */
export interface InvalidCase {
  /** `json-model` (the models JSON loader) or `attention-options` (the TS attention DSL). */
  readonly source: 'json-model' | 'attention-options';
  readonly seed: number;
  /** What was broken, e.g. `config.heads = NaN` or `slidingWindow(-1)`. */
  readonly mutation: string;
  /** The junk value's class, e.g. `NaN`, `negative`, `null`, `proto-key` (the allow-list keys on it). */
  readonly junk: string;
  readonly run: () => void;
}

export interface InvalidResult {
  readonly source: InvalidCase['source'];
  readonly seed: number;
  readonly mutation: string;
  readonly junk: string;
  readonly outcome: InvalidOutcome;
  readonly message?: string;
}

/** A junk value: its label in mutations, its class (the allow-list keys on it) and the value. */
export interface Junk {
  readonly label: string;
  readonly kind: string;
  readonly value: unknown;
}

/** Junk for numeric fields. */
export const NUMBER_JUNK: readonly Junk[] = [
  { label: 'NaN', kind: 'NaN', value: Number.NaN },
  { label: 'Infinity', kind: 'infinite', value: Number.POSITIVE_INFINITY },
  { label: '-Infinity', kind: 'infinite', value: Number.NEGATIVE_INFINITY },
  { label: '-1', kind: 'negative', value: -1 },
  { label: '-7', kind: 'negative', value: -7 },
  { label: '0', kind: 'zero', value: 0 },
  { label: '2.5', kind: 'fraction', value: 2.5 },
  { label: '2**31', kind: 'huge-int', value: 2 ** 31 },
  { label: '2**53', kind: 'huge-int', value: 2 ** 53 },
  { label: '1e308', kind: 'huge', value: 1e308 },
  { label: '"4"', kind: 'string', value: '4' },
  { label: 'null', kind: 'null', value: null },
  { label: 'true', kind: 'boolean', value: true },
  { label: '[]', kind: 'array', value: [] },
  { label: '{}', kind: 'object', value: {} },
];

/** Junk for string fields (names, kinds). */
export const STRING_JUNK: readonly Junk[] = [
  { label: '"bogus"', kind: 'unknown-name', value: 'bogus' },
  { label: '""', kind: 'empty-string', value: '' },
  { label: '"__proto__"', kind: 'proto-key', value: '__proto__' },
  { label: '"constructor"', kind: 'proto-key', value: 'constructor' },
  { label: '"toString"', kind: 'proto-key', value: 'toString' },
  { label: '7', kind: 'number', value: 7 },
  { label: 'null', kind: 'null', value: null },
  { label: '{}', kind: 'object', value: {} },
];
