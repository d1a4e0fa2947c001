/** A deterministic pseudo-random stream (xoshiro128**), for reproducible weights in tests and demos. */
export interface SeededRandom {
  /** The next uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next uniform float64 in the open interval (0, 1). */
  nextUniform(): number;
  /** The next standard normal sample (Box-Muller transform of two uniforms). */
  nextNormal(): number;
}

/**
 * Creates a seeded stream. Equal seeds give equal streams on every platform. A string seed is
 * hashed (FNV-1a), so `createSeededRandom(\`${seed}:${name}\`)` gives each named tensor its own
 * stream, independent of the order tensors are initialized in.
 *
 * @example
 * ```ts
 * const random = createSeededRandom(42); // or a string seed
 * const noise = Float32Array.from({ length: 8 }, () => random.nextNormal());
 * ```
 */
export function createSeededRandom(seed: number | string): SeededRandom {
  let state = typeof seed === 'number' ? seed >>> 0 : fnv1a32(seed);
  // splitmix32 spreads one 32-bit seed over the 128-bit state (never all zero).
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  let spareNormal: number | undefined;

  const nextUint32 = (): number => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotateLeft(s3, 11);
    return result;
  };
  // 53 random bits, shifted by half a step so neither 0 nor 1 occurs (Box-Muller takes log(u)).
  const nextUniform = (): number => {
    const high = nextUint32() >>> 5;
    const low = nextUint32() >>> 6;
    return (high * 67108864 + low + 0.5) / 9007199254740992;
  };
  const nextNormal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(nextUniform()));
    const angle = 2 * Math.PI * nextUniform();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { nextUint32, nextUniform, nextNormal };
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
