import type { InvalidResult } from './invalid-specs.js';
import type { CaseResult } from './run-device-case.js';

/**
 * Known bugs that are being fixed, keyed by the kind of case that shows them. The fixed-seed tests
 * in `pnpm verify` accept a failing case when one of these matches it (and say so); `pnpm fuzz`
 * reports every failure and marks the known ones. Remove an entry when its fix lands: the tests
 * then fail if the bug is still there.
 */
export interface KnownIssue<T> {
  /** Short key, e.g. `rope-sincos`. */
  readonly kind: string;
  /** Why it fails today. */
  readonly reason: string;
  /** `fixing`: reported, a fix is under way; `new`: found by this fuzzer, not yet taken up. */
  readonly status: 'fixing' | 'new';
  readonly matches: (result: T) => boolean;
}

/** Known device-case failures: none (RoPE sin/cos, the sink's log-sum-exp and softplus are fixed). */
export const KNOWN_DEVICE_ISSUES: readonly KnownIssue<CaseResult>[] = [];

/** Known invalid-spec failures (untyped errors or accepted junk): none. */
export const KNOWN_INVALID_ISSUES: readonly KnownIssue<InvalidResult>[] = [];

/** The known issue that explains `result`, if any. */
export function knownIssueOf<T>(issues: readonly KnownIssue<T>[], result: T): KnownIssue<T> | undefined {
  return issues.find((issue) => issue.matches(result));
}
