/** Cosines and sines of RoPE's rotation angles, one row per position. */
export interface RopeTables {
  /** `cos(p · θᵢ)`, `[positions, rotaryDims / 2]` row-major. */
  readonly cos: Float32Array;
  /** `sin(p · θᵢ)`, `[positions, rotaryDims / 2]` row-major. */
  readonly sin: Float32Array;
  /** Pairs per position: `rotaryDims / 2`. */
  readonly pairs: number;
}

/**
 * RoPE's angle tables (Su et al., RoFormer) for positions `0 … positions − 1`: pair `i` of
 * `rotaryDims` rotated dims turns by `p · θᵢ` with `θᵢ = base^(−2i / rotaryDims)`, the frequencies
 * of Weft's `rope()` (and of Llama / GPT-NeoX). Computed in float64, rounded once to float32.
 *
 * In the `half` layout, dim `i` pairs with dim `i + rotaryDims / 2`:
 * `x'ᵢ = xᵢ cos − xᵢ₊ₕ sin`, `x'ᵢ₊ₕ = xᵢ₊ₕ cos + xᵢ sin`.
 *
 * @example
 * ```ts
 * const { cos, sin } = ropeTables(64, 16, 10_000); // [64, 8] each
 * ```
 */
export function ropeTables(positions: number, rotaryDims: number, base: number): RopeTables {
  if (!Number.isInteger(rotaryDims) || rotaryDims < 2 || rotaryDims % 2 !== 0) {
    throw new RangeError(`ropeTables: rotaryDims must be an even integer >= 2, got ${rotaryDims}`);
  }
  const pairs = rotaryDims / 2;
  const cos = new Float32Array(positions * pairs);
  const sin = new Float32Array(positions * pairs);
  for (let position = 0; position < positions; position++) {
    for (let pair = 0; pair < pairs; pair++) {
      const angle = position * base ** ((-2 * pair) / rotaryDims);
      cos[position * pairs + pair] = Math.cos(angle);
      sin[position * pairs + pair] = Math.sin(angle);
    }
  }
  return { cos, sin, pairs };
}
