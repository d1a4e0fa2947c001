import { type Dim, type DimBindings, dimsEqual, formatDim, maxDim, resolveDim } from './dim.js';
import { ShapeError, type WeftErrorContext } from './errors.js';

/** A tensor shape: dims from outermost to innermost (row-major). */
export type Shape = readonly Dim[];

/** Text form: `[seq<=512, 64]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.map(formatDim).join(', ')}]`;
}

/** Structural equality of two shapes. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let axis = 0; axis < a.length; axis++) if (!dimsEqual(a[axis]!, b[axis]!)) return false;
  return true;
}

/** Number of elements at the dims' maxima (what a buffer must hold). */
export function maxElementCount(shape: Shape): number {
  return shape.reduce<number>((count, dim) => count * maxDim(dim), 1);
}

/** Concrete dims of `shape` under `bindings`. */
export function resolveShape(shape: Shape, bindings: DimBindings): number[] {
  return shape.map((dim) => resolveDim(dim, bindings));
}

/** Number of elements of a concrete shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, dim) => count * dim, 1);
}

/** Row-major strides of a concrete shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/**
 * NumPy broadcasting: shapes are right-aligned; each pair of dims must be equal or one of them 1.
 * Symbolic dims broadcast only against 1 or the same symbolic dim.
 */
export function broadcastShapes(shapes: readonly Shape[], context: WeftErrorContext = {}): Shape {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const result: Dim[] = [];
  for (let axis = 0; axis < rank; axis++) {
    let out: Dim = 1;
    for (const shape of shapes) {
      const dim = shape[shape.length - rank + axis] ?? 1;
      if (dim === 1) continue;
      if (out === 1 || dimsEqual(out, dim)) {
        out = dim;
        continue;
      }
      throw new ShapeError('shapes do not broadcast', {
        ...context,
        dimension: axis - rank,
        expected: `${formatDim(out)} or 1`,
        actual: `${formatDim(dim)} (shapes ${shapes.map(formatShape).join(', ')})`,
      });
    }
    result.push(out);
  }
  return result;
}

/**
 * Normalizes an axis that may be negative (counted from the end) into `0..rank-1`; throws a
 * {@link ShapeError} naming the axis when it does not exist.
 */
export function normalizeAxis(axis: number, rank: number, context: WeftErrorContext = {}): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || normalized < 0 || normalized >= rank) {
    throw new ShapeError('axis does not exist', {
      ...context,
      dimension: axis,
      expected: `an axis in ${-rank}..${rank - 1}`,
      actual: axis,
    });
  }
  return normalized;
}
