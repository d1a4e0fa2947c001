import type { Tensor64 } from '../ops/op-table.js';

/** What can be compared: a reference tensor, or plain numbers in row-major order. */
export type Comparable = Tensor64 | ArrayLike<number>;

/** Tolerances of {@link expectClose}. */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
  /** Name printed in the failure message, e.g. `softmax f32 [3, 17]`. */
  readonly label?: string;
}

/** Error statistics of a comparison. */
export interface CloseReport {
  /** Largest `|actual − expected|`. */
  readonly maxAbsError: number;
  /** {@link relativeError} of the comparison. */
  readonly relativeError: number;
  /** Elements compared. */
  readonly count: number;
}

/**
 * Asserts elementwise closeness like NumPy's `allclose`: `|a − e| ≤ atol + rtol·|e|` for every
 * element (NaN matches only NaN, infinities only themselves). On failure it throws an Error naming
 * the label, the number of bad elements, the worst index (flat and per axis), both values, the
 * absolute and relative error and the tolerance. Returns the error statistics otherwise.
 */
export function expectClose(
  actual: Comparable,
  expected: Comparable,
  options: CloseOptions = {},
): CloseReport {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const label = options.label ?? 'tensor';
  const a = dataOf(actual);
  const e = dataOf(expected);
  const shape = 'shape' in expected ? expected.shape : 'shape' in actual ? actual.shape : [e.length];
  if ('shape' in actual && 'shape' in expected && actual.shape.join() !== expected.shape.join()) {
    throw new Error(
      `${label}: shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`,
    );
  }
  if (a.length !== e.length) throw new Error(`${label}: ${a.length} elements, expected ${e.length}`);
  let worst = -1;
  let worstExcess = 0;
  let failures = 0;
  let maxAbsError = 0;
  for (let i = 0; i < e.length; i++) {
    const difference = mismatch(a[i]!, e[i]!);
    if (difference === 0) continue;
    if (Number.isFinite(difference)) maxAbsError = Math.max(maxAbsError, difference);
    const excess = difference - (atol + rtol * Math.abs(e[i]!));
    if (excess > 0 || Number.isNaN(excess)) {
      failures++;
      if (worst < 0 || !(excess <= worstExcess))
        [worst, worstExcess] = [i, Number.isNaN(excess) ? Infinity : excess];
    }
  }
  if (worst >= 0) {
    const got = a[worst]!;
    const want = e[worst]!;
    const absolute = Math.abs(got - want);
    throw new Error(
      `${label}: ${failures} of ${e.length} elements differ beyond atol ${atol} + rtol ${rtol}·|expected|; ` +
        `worst at ${worst} [${unflatten(worst, shape).join(', ')}]: actual ${got}, expected ${want}, ` +
        `abs error ${absolute.toExponential(3)}, rel error ${(absolute / Math.abs(want)).toExponential(3)}`,
    );
  }
  return { maxAbsError, relativeError: relativeError(a, e), count: e.length };
}

/**
 * Normwise relative error `max_i |a_i − e_i| / max(max_i |e_i|, floor)` (∞-norm of the difference
 * over the ∞-norm of the expected values). Unlike an elementwise ratio it is not blown up by
 * expected values near zero; `floor` (default 1e-30) only guards an all-zero expectation.
 * NaN where one side is NaN and the other is not.
 */
export function relativeError(actual: Comparable, expected: Comparable, floor = 1e-30): number {
  const a = dataOf(actual);
  const e = dataOf(expected);
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    difference = Math.max(difference, mismatch(a[i]!, e[i]!));
    if (Number.isFinite(e[i]!)) scale = Math.max(scale, Math.abs(e[i]!));
  }
  return difference / Math.max(scale, floor);
}

function dataOf(value: Comparable): ArrayLike<number> {
  return 'data' in value && 'shape' in value ? value.data : (value as ArrayLike<number>);
}

/** |a − e|, with NaN≡NaN and equal infinities counting as 0 and any other NaN as NaN. */
function mismatch(a: number, e: number): number {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e) ? 0 : Number.NaN;
  if (a === e) return 0;
  return Math.abs(a - e);
}

function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}
