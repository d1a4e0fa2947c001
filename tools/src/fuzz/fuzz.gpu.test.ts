import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import type { DeviceCaseKind } from './fuzz-case.js';
import { formatDeviceFailure } from './fuzz-report.js';
import { KNOWN_DEVICE_ISSUES, knownIssueOf } from './known-issues.js';
import { caseSeed } from './prng.js';
import { type CaseResult, deviceRecipe, runDeviceCase } from './run-device-case.js';

/**
 * The fixed-seed differential fuzz set of `pnpm verify`: random attention specs, norm layers and
 * tiny models on the WebGPU device against the float64 reference (`pnpm fuzz` runs more seeds).
 * A failing case passes only when an entry of KNOWN_DEVICE_ISSUES explains it.
 */
const SEED = 20_261_206;
const GROUPS = 5;
const CASES_PER_GROUP = 8;

/** Tiny models take several times as long as the other cases on SwiftShader: two of them, and 8 norm layers. */
function kindOf(index: number): DeviceCaseKind {
  if (index % 20 === 5) return 'model';
  return index % 5 === 0 ? 'norm' : 'attention';
}

const results: CaseResult[] = [];

describe('differential fuzzing on the device (fixed seed)', () => {
  for (let group = 0; group < GROUPS; group++) {
    it(`cases ${group * CASES_PER_GROUP}–${(group + 1) * CASES_PER_GROUP - 1} match the float64 reference or are refused with a WeftError`, async () => {
      const device = await getTestDevice();
      const unexplained: string[] = [];
      for (let i = group * CASES_PER_GROUP; i < (group + 1) * CASES_PER_GROUP; i++) {
        const result = await runDeviceCase(deviceRecipe(caseSeed(SEED, i), kindOf(i)), device);
        results.push(result);
        if (result.outcome === 'ok' || result.outcome === 'rejected') continue;
        const known = knownIssueOf(KNOWN_DEVICE_ISSUES, result);
        if (known === undefined) unexplained.push(formatDeviceFailure(result));
        else
          console.info(`case ${i}: ${result.outcome} (${result.recipe.family}), known issue ${known.kind}`);
      }
      expect(unexplained).toEqual([]);
    }, 600_000);
  }

  it('ran most cases on the device rather than refusing them', () => {
    expect(results).toHaveLength(GROUPS * CASES_PER_GROUP);
    expect(results.filter((result) => result.outcome !== 'rejected').length).toBeGreaterThan(
      results.length / 2,
    );
  });
});
