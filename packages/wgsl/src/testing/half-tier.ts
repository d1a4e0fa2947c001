import { HALF_PRELUDE_END, HALF_PRELUDE_MARK } from '../half-precision.js';

/**
 * A kernel of the f16 tier without what distinguishes its precision: the prelude defining the
 * hooks (`half`, `to_half`, `widen`, …) and the `enable f16;` directive. The `f16` and
 * `f16-emulated` renderings of one kernel are the same text after this (the structural check that
 * the emulation tests the real path's numerics).
 *
 * @example
 * ```ts
 * expect(withoutHalfTier(real.wgsl)).toBe(withoutHalfTier(emulated.wgsl));
 * ```
 */
export function withoutHalfTier(wgsl: string): string {
  const lines = wgsl.split('\n');
  const start = lines.indexOf(HALF_PRELUDE_MARK);
  const end = lines.indexOf(HALF_PRELUDE_END);
  const kept = start < 0 || end < start ? lines : [...lines.slice(0, start), ...lines.slice(end + 1)];
  return kept
    .filter((line) => line !== 'enable f16;')
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}
