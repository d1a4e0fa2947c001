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

const tagged = (result: CaseResult, prefix: string) =>
  result.recipe.tags.some((tag) => tag.startsWith(prefix));

/** Known device-case failures. */
export const KNOWN_DEVICE_ISSUES: readonly KnownIssue<CaseResult>[] = [
  {
    kind: 'rope-sincos',
    status: 'fixing',
    reason:
      'f32 sin/cos of RoPE angles on SwiftShader are off by ~1e-4..8.7e-4 relative (fix in progress); errors up to 1e-3 on RoPE families',
    matches: (result) =>
      result.outcome === 'mismatch' &&
      (result.recipe.family.endsWith('+rope') || tagged(result, 'positions:rope')) &&
      (result.error ?? Number.POSITIVE_INFINITY) < 1e-3,
  },
  {
    kind: 'sink-lse-fully-masked',
    status: 'fixing',
    reason: 'softmax with a sink: the log-sum-exp of a row with every key masked is wrong (fix in progress)',
    matches: (result) =>
      result.outcome === 'mismatch' &&
      result.recipe.tags.includes('normalizer:sink') &&
      result.recipe.tags.includes('logSumExp') &&
      tagged(result, 'mask:'),
  },
  {
    kind: 'softplus-underflow',
    status: 'fixing',
    reason: 'softplusNormalized: softplus underflows in f32 for very negative scores (fix in progress)',
    matches: (result) =>
      result.outcome === 'mismatch' && result.recipe.tags.includes('normalizer:softplusNormalized'),
  },
  {
    kind: 'top-theta-flip-under-rope',
    status: 'new',
    reason:
      "Top-θ's hard threshold turns the RoPE score error (rope-sincos) into a key kept on one side and dropped on the other: 3.1e-2 for seed 2415186502, which is 1.1e-7 without RoPE and 1.2e-4 with softmax; should go with the RoPE fix",
    matches: (result) =>
      result.outcome === 'mismatch' &&
      result.recipe.tags.includes('normalizer:topTheta') &&
      tagged(result, 'positions:rope'),
  },
];

/** Known invalid-spec failures (untyped errors or accepted junk). */
export const KNOWN_INVALID_ISSUES: readonly KnownIssue<InvalidResult>[] = [
  {
    kind: 'prototype-key-names',
    status: 'fixing',
    reason: "names like '__proto__' / 'constructor' are looked up on plain objects (fix in progress)",
    matches: (result) => result.outcome !== 'typed' && result.junk === 'proto-key',
  },
  {
    kind: 'sizes-2^31-accepted',
    status: 'new',
    reason:
      'the JSON model schema has no upper bound on sizes (maxSeq, layers, heads, dModel, headDim = 2^31 parse; building then hangs or overflows)',
    matches: (result) =>
      result.outcome === 'accepted' &&
      result.source === 'json-model' &&
      (result.message ?? '').startsWith('parsed, not built'),
  },
];

/** The known issue that explains `result`, if any. */
export function knownIssueOf<T>(issues: readonly KnownIssue<T>[], result: T): KnownIssue<T> | undefined {
  return issues.find((issue) => issue.matches(result));
}
