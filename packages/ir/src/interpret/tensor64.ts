import type { DType } from '../dtype.js';
import { InputError } from '../errors.js';
import type { Tensor64 } from '../ops/op-table.js';
import { elementCount } from '../shape.js';

/**
 * Builds a {@link Tensor64} (the reference interpreter's tensor: float64 data, row-major, concrete
 * shape). `data` is copied into a fresh `Float64Array`; its length must equal the shape's element count.
 *
 * @example
 * ```ts
 * const x = tensor64([2, 3], [1, 2, 3, 4, 5, 6]); // f32 by default
 * ```
 */
export function tensor64(shape: readonly number[], data: ArrayLike<number>, dtype: DType = 'f32'): Tensor64 {
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new InputError('tensor data does not match its shape', {
      expected: `${count} elements for shape [${shape.join(', ')}]`,
      actual: `${data.length} elements`,
    });
  }
  return Object.freeze({ shape: Object.freeze([...shape]), dtype, data: Float64Array.from(data) });
}

/** A tensor of the given shape whose data is zero-filled, to be written by an op's evaluation. */
export function emptyTensor64(
  shape: readonly number[],
  dtype: DType,
): Tensor64 & { readonly data: Float64Array } {
  return { shape: Object.freeze([...shape]), dtype, data: new Float64Array(elementCount(shape)) };
}

/**
 * Layout of the lines of `shape` along `axis`: element `j` of line (`outer`, `inner`) lives at
 * `outer · length · innerCount + j · innerCount + inner`. Used by scans, arg-reductions and top-k.
 */
export interface LineLayout {
  /** Product of the dims before `axis`. */
  readonly outerCount: number;
  /** Size of `axis`. */
  readonly length: number;
  /** Product of the dims after `axis` (the stride of `axis`). */
  readonly innerCount: number;
}

/** The {@link LineLayout} of `shape` along `axis`. */
export function lineLayout(shape: readonly number[], axis: number): LineLayout {
  return {
    outerCount: elementCount(shape.slice(0, axis)),
    length: shape[axis]!,
    innerCount: elementCount(shape.slice(axis + 1)),
  };
}

/** Calls `visit(start, stride)` once per line of `layout`: the line's elements are `start + j · stride`. */
export function forEachLine(
  layout: LineLayout,
  visit: (start: number, stride: number, lineNumber: number) => void,
): void {
  let lineNumber = 0;
  for (let outer = 0; outer < layout.outerCount; outer++) {
    for (let inner = 0; inner < layout.innerCount; inner++) {
      visit(outer * layout.length * layout.innerCount + inner, layout.innerCount, lineNumber++);
    }
  }
}
