/**
 * Normwise relative error `max_i |a_i − e_i| / max_i |e_i|` of `actual` against the `expected`
 * reference (the ∞-norm of the difference over the ∞-norm of the reference): not blown up by
 * reference values near zero, unlike an elementwise ratio. NaN when either side has a NaN the other
 * lacks, or when the lengths differ; 0 for two all-zero tensors.
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.NaN;
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return Number.NaN;
      continue;
    }
    if (a !== e) difference = Math.max(difference, Math.abs(a - e));
    if (Number.isFinite(e)) scale = Math.max(scale, Math.abs(e));
  }
  return difference === 0 ? 0 : difference / scale;
}
