/**
 * The error of a float32 result against its float64 reference, relative to the reference's
 * largest magnitude: `max |actual − reference| / max |reference|`. Scaling by the largest value
 * (not element by element) keeps outputs near zero from inflating it. A wrong length, a NaN or an
 * infinity gives `Infinity`, so a broken result can never pass as accurate.
 */
export function maxRelativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  for (let index = 0; index < reference.length; index++) scale = Math.max(scale, Math.abs(reference[index]!));
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    const difference = Math.abs(actual[index]! - reference[index]!);
    if (!Number.isFinite(difference)) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, difference);
  }
  return worst / Math.max(scale, Number.MIN_VALUE);
}
