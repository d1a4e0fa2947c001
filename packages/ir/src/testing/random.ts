import type { DType } from '../dtype.js';
import { roundToDType } from '../dtype.js';
import type { Tensor64 } from '../ops/op-table.js';
import { elementCount } from '../shape.js';

/** A deterministic pseudo-random generator of floats in `[0, 1)` (mulberry32, 32-bit state). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link randomTensor}. */
export interface RandomTensorOptions {
  /** Seed of the generator (default 1). */
  readonly seed?: number;
  /** Lower bound (default −1; −10 for integer dtypes). */
  readonly min?: number;
  /** Upper bound (default 1; 10 for integer dtypes). */
  readonly max?: number;
  /** Element dtype (default `f32`); values are exactly representable in it. */
  readonly dtype?: DType;
  /**
   * Smallest magnitude allowed (default `0.1 · max(|min|, |max|)` for floats, 1 for integers):
   * values never land on or near zero, so a kernel that forgets to write or reads zeros fails.
   * Set 0 to allow any value. Ignored when the range lies entirely on one side of it.
   */
  readonly minMagnitude?: number;
}

/**
 * A tensor of seeded uniform random values in `[min, max]`, never zero: values closer to zero than
 * `minMagnitude` are redrawn. `bool` tensors hold random 0/1.
 */
export function randomTensor(shape: readonly number[], options: RandomTensorOptions = {}): Tensor64 {
  const dtype = options.dtype ?? 'f32';
  const integer = dtype === 'i32' || dtype === 'u32';
  const random = seededRandom(options.seed ?? 1);
  const data = new Float64Array(elementCount(shape));
  if (dtype === 'bool') {
    data.forEach((_, i) => {
      data[i] = random() < 0.5 ? 0 : 1;
    });
    return { shape: [...shape], dtype, data };
  }
  const min = options.min ?? (integer ? (dtype === 'u32' ? 1 : -10) : -1);
  const max = options.max ?? (integer ? 10 : 1);
  const floor = options.minMagnitude ?? (integer ? 1 : 0.1 * Math.max(Math.abs(min), Math.abs(max)));
  const draw = (): number => {
    const value = integer ? min + Math.floor(random() * (max - min + 1)) : min + random() * (max - min);
    return roundToDType(value, dtype);
  };
  const canAvoid = min < -floor || max > floor;
  for (let i = 0; i < data.length; i++) {
    let value = draw();
    while (canAvoid && Math.abs(value) < floor) value = draw();
    data[i] = value;
  }
  return { shape: [...shape], dtype, data };
}

/** Seeded random `i32` indices in `0..bound-1` (for gather, index-select and embeddings). */
export function randomIndices(shape: readonly number[], bound: number, seed = 1): Tensor64 {
  const random = seededRandom(seed);
  const data = new Float64Array(elementCount(shape)).map(() => Math.floor(random() * bound));
  return { shape: [...shape], dtype: 'i32', data };
}
