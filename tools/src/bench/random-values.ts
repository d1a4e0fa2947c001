/**
 * `count` seeded pseudo-random float32 values, uniform in [low, high) (default [-1, 1)). The same seed
 * gives the same values in every run and for every system, so results are comparable.
 */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let index = 0; index < count; index++) {
    // xorshift32: small, fast and good enough for benchmark inputs.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[index] = low + ((high - low) * state) / 2 ** 32;
  }
  return values;
}
