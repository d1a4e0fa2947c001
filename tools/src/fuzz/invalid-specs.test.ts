import { describe, expect, it } from 'vitest';
import { invalidCase, runInvalidCase } from './invalid-specs.js';
import { KNOWN_INVALID_ISSUES, knownIssueOf } from './known-issues.js';
import { caseSeed } from './prng.js';

/** Fixed seed and count of the invalid-spec cases `pnpm verify` runs (`pnpm fuzz` runs more). */
const SEED = 20_261_206;
const CASES = 300;

describe('invalid specs (junk JSON model specs and attention options) give a WeftError', () => {
  const results = Array.from({ length: CASES }, (_, index) =>
    runInvalidCase(invalidCase(caseSeed(SEED, index))),
  );

  it('draws both sources and mostly gets typed errors', () => {
    expect(results.filter((result) => result.source === 'json-model').length).toBeGreaterThan(CASES / 4);
    expect(results.filter((result) => result.source === 'attention-options').length).toBeGreaterThan(
      CASES / 4,
    );
    expect(results.filter((result) => result.outcome === 'typed').length).toBeGreaterThan(CASES / 2);
  });

  it('never throws anything but a WeftError, nor accepts junk (outside KNOWN_INVALID_ISSUES)', () => {
    const unexplained = results.filter(
      (result) => result.outcome !== 'typed' && knownIssueOf(KNOWN_INVALID_ISSUES, result) === undefined,
    );
    const known = results.filter((result) => result.outcome !== 'typed').length - unexplained.length;
    if (known > 0) console.info(`invalid specs: ${known} of ${CASES} cases fail with a known issue`);
    expect(
      unexplained.map(
        (result) => `${result.outcome} ${result.mutation} (seed ${result.seed}): ${result.message ?? ''}`,
      ),
    ).toEqual([]);
  });

  it('is reproducible from its seed', () => {
    const again = runInvalidCase(invalidCase(caseSeed(SEED, 7)));
    expect({ ...again }).toEqual({ ...results[7]! });
  });
});
