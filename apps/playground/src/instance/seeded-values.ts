/**
 * Seeded values in `±[0.1, 1]` (never zero, so a kernel that drops a term cannot hide behind it):
 * a 32-bit linear congruential sequence, the same on every run for the same seed.
 */
export function seededValues(count: number, seed: number): Float32Array {
  let state = (seed * 2654435761) % 2147483648;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    const unit = state / 2147483648;
    return (unit < 0.5 ? -1 : 1) * (0.1 + 0.9 * ((unit * 2) % 1));
  });
}

/**
 * Integer data for an `i32` tensor of `shape`: along a last axis of `length` positions, sorted
 * segment ids `0..3` (document masks read them as segments, selection masks as keep flags);
 * elsewhere alternating `0, 1`.
 */
export function integerValues(shape: readonly number[], length: number): Int32Array {
  const last = shape[shape.length - 1] ?? 1;
  const count = shape.reduce((product, size) => product * size, 1);
  return Int32Array.from({ length: count }, (_, index) =>
    last === length ? Math.floor((4 * (index % last)) / length) : index % 2,
  );
}
