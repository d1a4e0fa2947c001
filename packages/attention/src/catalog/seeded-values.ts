/**
 * Seeded values in `±[0.1, 1]` (never zero) for the catalog instances: a 32-bit linear
 * congruential sequence, the same on every run.
 */
export function seeded(count: number, seed: number): Float32Array {
  return Float32Array.from(
    seededUnits(count, seed),
    (unit) => (unit < 0.5 ? -1 : 1) * (0.1 + 0.9 * ((unit * 2) % 1)),
  );
}

/** Seeded values in `[low, high)` from the same sequence (precisions, log priors). */
export function seededInRange(count: number, seed: number, low: number, high: number): Float32Array {
  return Float32Array.from(seededUnits(count, seed), (unit) => low + (high - low) * unit);
}

function seededUnits(count: number, seed: number): Float64Array {
  let state = (seed * 2654435761) % 2147483648;
  return Float64Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  });
}
