import { UnsupportedError } from '@weft/ir';

/**
 * Spreads `count` workgroups over x, then y, then z so that no dimension exceeds
 * `maxPerDimension`. The shader recovers the linear index as `x + nx * (y + ny * z)` and skips
 * the excess of the last row.
 *
 * @example
 * ```ts
 * foldWorkgroups(100_000, 65_535); // [65535, 2, 1]
 * ```
 */
export function foldWorkgroups(count: number, maxPerDimension: number): [number, number, number] {
  if (count <= maxPerDimension) return [Math.max(count, 1), 1, 1];
  const rows = Math.ceil(count / maxPerDimension);
  if (rows <= maxPerDimension) return [maxPerDimension, rows, 1];
  const layers = Math.ceil(rows / maxPerDimension);
  if (layers > maxPerDimension) {
    throw new UnsupportedError('dispatch needs more workgroups than x, y and z can hold', {
      expected: `<= ${maxPerDimension ** 3}`,
      actual: count,
    });
  }
  return [maxPerDimension, maxPerDimension, layers];
}

/** The largest power of two that is at most `value` (and at least 1). */
export function powerOfTwoAtMost(value: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, value)));
}
