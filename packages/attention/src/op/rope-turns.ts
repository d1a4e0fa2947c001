import type { RopeAttrs } from './attention-attrs.js';

/**
 * The frequencies of RoPE in turns per position, f_i = θ^(−2i/r)/(2π) for the pairs i of one
 * axis block, each split in float64 into three f32 parts `hi + mid + lo`: hi and mid keep 8
 * significant bits, so p·hi and p·mid are exact in f32 for integer positions |p| < 2^16 and their
 * fractional parts are exact too; lo is f32-rounded and p·lo is small. The device then computes
 * the angle modulo one turn as frac(p·hi) + frac(p·mid) + p·lo, within ~1e-7 turns of the float64
 * angle up to position 65 535, where p·θ^(−2i/r) in f32 would be off by up to ulp(p)/2 radians
 * (2.4e-4 at p = 8191) before the 2^-11 error of the WGSL sin and cos.
 */
export interface RopeTurns {
  readonly hi: readonly number[];
  readonly mid: readonly number[];
  readonly lo: readonly number[];
}

/** The split turn frequencies of the pairs of one axis block of `rope`. */
export function ropeTurns(rope: RopeAttrs): RopeTurns {
  const axisDims = rope.grid === null ? rope.rotaryDims : rope.rotaryDims / 2;
  const hi: number[] = [];
  const mid: number[] = [];
  const lo: number[] = [];
  for (let i = 0; i < axisDims / 2; i++) {
    const turns = rope.base ** ((-2 * i) / axisDims) / (2 * Math.PI);
    const first = shortened(turns, 8);
    const second = shortened(turns - first, 8);
    hi.push(first);
    mid.push(second);
    lo.push(Math.fround(turns - first - second));
  }
  return { hi, mid, lo };
}

/** `x` rounded to `bits` significant bits. */
function shortened(x: number, bits: number): number {
  if (x === 0) return 0;
  const scale = 2 ** (bits - 1 - Math.floor(Math.log2(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

/** The row and column of position `p` on a grid `width` wide: ⌊p/W⌋ and p − W⌊p/W⌋ (floor, also for p < 0). */
export function gridPosition(position: number, width: number): [number, number] {
  const row = Math.floor(position / width);
  return [row, position - row * width];
}
