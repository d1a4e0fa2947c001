import * as v from 'valibot';

/**
 * A JSON number that is a positive safe integer (a count or size), at most `max`: every size of a
 * spec is bounded, so that a schema-valid spec cannot ask for an absurd allocation.
 */
export function positiveInteger(max: number = Number.MAX_SAFE_INTEGER) {
  const message = (issue: v.BaseIssue<unknown>) => `expected a positive integer, got ${issue.received}`;
  const tooLarge = (issue: v.BaseIssue<unknown>) =>
    `expected a positive integer at most ${max}, got ${issue.received}`;
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(1, message), v.maxValue(max, tooLarge));
}

/** A JSON number that is finite and strictly positive (an epsilon, a base). */
export function positiveNumber() {
  const message = (issue: v.BaseIssue<unknown>) => `expected a finite positive number, got ${issue.received}`;
  return v.pipe(v.number(message), v.finite(message), v.gtValue(0, message));
}

/** A JSON number in the half-open interval (0, 1]. */
export function unitFraction() {
  const message = (issue: v.BaseIssue<unknown>) => `expected a number in (0, 1], got ${issue.received}`;
  return v.pipe(v.number(message), v.gtValue(0, message), v.maxValue(1, message));
}

/** A JSON number that is finite (any sign): a scale, a bias. */
export function finiteNumber() {
  const message = (issue: v.BaseIssue<unknown>) => `expected a finite number, got ${issue.received}`;
  return v.pipe(v.number(message), v.finite(message));
}

/** A JSON number that is finite and at least 0 (an epsilon that may be zero). */
export function nonNegativeNumber() {
  const message = (issue: v.BaseIssue<unknown>) => `expected a finite number >= 0, got ${issue.received}`;
  return v.pipe(v.number(message), v.finite(message), v.minValue(0, message));
}

/** A JSON number that is finite and strictly above `bound` (a RoPE base > 1). */
export function numberAbove(bound: number) {
  const message = (issue: v.BaseIssue<unknown>) =>
    `expected a finite number > ${bound}, got ${issue.received}`;
  return v.pipe(v.number(message), v.finite(message), v.gtValue(bound, message));
}

/** A JSON number that is a safe integer at least 0 (a prefix length that may be empty). */
export function nonNegativeInteger() {
  const message = (issue: v.BaseIssue<unknown>) => `expected an integer >= 0, got ${issue.received}`;
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(0, message));
}
