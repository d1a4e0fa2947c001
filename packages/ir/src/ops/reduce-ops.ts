import type { Dim } from '../dim.js';
import { ShapeError } from '../errors.js';
import { internNode, type Node, type TensorType } from '../graph/node.js';
import { emptyTensor64, forEachLine, lineLayout } from '../interpret/tensor64.js';
import { normalizeAxis, stridesOf } from '../shape.js';
import { booleanAttr, choiceAttr, integerAttr, integersAttr } from './attr-readers.js';
import type { OpContext, OpDef, Tensor64 } from './op-table.js';
import { expectDType, operandContext } from './operand-checks.js';

/** Reduction functions of the `reduce` op. */
export const REDUCE_FUNCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'logsumexp'] as const;
/** A reduction function name. */
export type ReduceFunction = (typeof REDUCE_FUNCTIONS)[number];

/** Options of the reduction builders. */
export interface ReduceOptions {
  /** Keep reduced axes as size 1 (default false). */
  readonly keepDims?: boolean;
}

/** Sum over `axes` (default: all axes; negative axes count from the end). */
export const sum = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('sum', x, axes, options);
/** Arithmetic mean over `axes` (float only). */
export const mean = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('mean', x, axes, options);
/** Maximum over `axes`. */
export const max = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('max', x, axes, options);
/** Minimum over `axes`. */
export const min = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('min', x, axes, options);
/** Product over `axes`. */
export const prod = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('prod', x, axes, options);
/** `log Σ e^x` over `axes`, computed as `m + log Σ e^(x−m)` with `m = max x` (float only). */
export const logsumexp = (x: Node, axes?: number | readonly number[], options?: ReduceOptions): Node =>
  reduce('logsumexp', x, axes, options);

/**
 * Applies reduction `fn` over `axes` (default all); axes are normalized and sorted.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const total = reduce('sum', x); // every axis: []
 * const rowMax = reduce('max', x, 1, { keepDims: true }); // [4, 1]
 * ```
 */
export function reduce(
  fn: ReduceFunction,
  x: Node,
  axes?: number | readonly number[],
  options: ReduceOptions = {},
): Node {
  const list = axes === undefined ? x.shape.map((_, axis) => axis) : typeof axes === 'number' ? [axes] : axes;
  const normalized = list.map((axis) => normalizeAxis(axis, x.rank, { tensor: `reduce ${fn} operand 0` }));
  return internNode(reduceOp, [x], {
    fn,
    axes: [...new Set(normalized)].sort((a, b) => a - b),
    keepDims: options.keepDims ?? false,
  });
}

/**
 * Index of the first maximum along `axis` (i32).
 *
 * @example
 * ```ts
 * const best = argmax(input('logits', [1, 1000])); // [1], i32
 * ```
 */
export function argmax(x: Node, axis = -1, options: ReduceOptions = {}): Node {
  return internNode(argmaxOp, [x], {
    axis: normalizeAxis(axis, x.rank, { tensor: 'argmax operand 0' }),
    keepDims: options.keepDims ?? false,
  });
}

/** `reduce`: `{ fn, axes, keepDims }`; reduced axes are removed, or kept as 1. */
export const reduceOp: OpDef = {
  name: 'reduce',
  arity: 1,
  fusion: 'reduction',
  infer([x], attrs, context) {
    const fn = choiceAttr(attrs, 'fn', REDUCE_FUNCTIONS, context);
    const floatOnly = fn === 'mean' || fn === 'logsumexp';
    expectDType(x!, 0, floatOnly ? ['f32', 'f16'] : ['f32', 'f16', 'i32', 'u32'], {
      ...context,
      op: `reduce ${fn}`,
    });
    const axes = reducedAxes(x!, integersAttr(attrs, 'axes', context), context);
    return { shape: reducedShape(x!.shape, axes, booleanAttr(attrs, 'keepDims', context)), dtype: x!.dtype };
  },
  evaluatesF32: true,
  evaluate([x], attrs, node, env) {
    const axes = new Set(reducedAxes(x!, attrs.axes as number[], { op: 'reduce' }));
    const keptShape = x!.shape.map((dim, axis) => (axes.has(axis) ? 1 : dim));
    const keptStrides = stridesOf(keptShape);
    const groups = Array.from(
      { length: keptShape.reduce((count, dim) => count * dim, 1) },
      () => [] as number[],
    );
    const counter = new Array<number>(x!.shape.length).fill(0);
    x!.data.forEach((value) => {
      const target = counter.reduce(
        (offset, position, axis) => offset + (axes.has(axis) ? 0 : position * keptStrides[axis]!),
        0,
      );
      groups[target]!.push(value);
      for (let axis = counter.length - 1; axis >= 0; axis--) {
        if (++counter[axis]! < x!.shape[axis]!) break;
        counter[axis] = 0;
      }
    });
    const result = emptyTensor64(
      reducedShape(x!.shape, [...axes], node.attrs.keepDims as boolean) as number[],
      node.dtype,
    );
    const reducer = (
      env.precision === 'f32' && node.dtype !== 'i32' && node.dtype !== 'u32' ? REDUCERS_F32 : REDUCERS
    )[attrs.fn as ReduceFunction];
    groups.forEach((values, i) => {
      result.data[i] = reducer(values);
    });
    return result;
  },
};

/** `argmax`: `{ axis, keepDims }`, i32 index of the first maximum. */
export const argmaxOp: OpDef = {
  name: 'argmax',
  arity: 1,
  fusion: 'reduction',
  infer([x], attrs, context) {
    expectDType(x!, 0, ['f32', 'f16', 'i32', 'u32'], context);
    const axis = normalizeAxis(
      integerAttr(attrs, 'axis', context),
      x!.shape.length,
      operandContext(context, 0),
    );
    return { shape: reducedShape(x!.shape, [axis], booleanAttr(attrs, 'keepDims', context)), dtype: 'i32' };
  },
  evaluatesF32: true,
  evaluate([x], attrs, node) {
    const axis = normalizeAxis(attrs.axis as number, x!.shape.length);
    const result = emptyTensor64(
      reducedShape(x!.shape, [axis], node.attrs.keepDims as boolean) as number[],
      'i32',
    );
    forEachLine(lineLayout(x!.shape, axis), (start, stride, line) => {
      let best = 0;
      for (let j = 1; j < x!.shape[axis]!; j++)
        if (x!.data[start + j * stride]! > x!.data[start + best * stride]!) best = j;
      result.data[line] = best;
    });
    return result;
  },
};

const REDUCERS: Record<ReduceFunction, (values: readonly number[]) => number> = {
  sum: (values) => values.reduce((total, value) => total + value, 0),
  mean: (values) => values.reduce((total, value) => total + value, 0) / values.length,
  max: (values) => values.reduce((best, value) => Math.max(best, value), -Infinity),
  min: (values) => values.reduce((best, value) => Math.min(best, value), Infinity),
  prod: (values) => values.reduce((total, value) => total * value, 1),
  logsumexp: (values) => {
    const peak = values.reduce((best, value) => Math.max(best, value), -Infinity);
    if (!Number.isFinite(peak)) return peak;
    return peak + Math.log(values.reduce((total, value) => total + Math.exp(value - peak), 0));
  },
};

const f32 = Math.fround;

/**
 * The reducers in f32: one f32 accumulator, updated in order, every step rounded (what a kernel
 * that accumulates sequentially in an f32 register computes).
 */
const REDUCERS_F32: Record<ReduceFunction, (values: readonly number[]) => number> = {
  sum: (values) => values.reduce((total, value) => f32(total + value), 0),
  mean: (values) => f32(REDUCERS_F32.sum(values) / values.length),
  max: REDUCERS.max,
  min: REDUCERS.min,
  prod: (values) => values.reduce((total, value) => f32(total * value), 1),
  logsumexp: (values) => {
    const peak = REDUCERS.max(values);
    if (!Number.isFinite(peak)) return peak;
    const total = values.reduce((sum, value) => f32(sum + f32(Math.exp(f32(value - peak)))), 0);
    return f32(peak + f32(Math.log(total)));
  },
};

function reducedAxes(x: TensorType | Tensor64, axes: readonly number[], context: OpContext): number[] {
  const rank = x.shape.length;
  const normalized = axes.map((axis) => normalizeAxis(axis, rank, operandContext(context, 0, axis)));
  if (new Set(normalized).size !== normalized.length) {
    throw new ShapeError('reduction axes repeat', {
      ...operandContext(context, 0),
      expected: 'distinct axes',
      actual: axes,
    });
  }
  return normalized;
}

function reducedShape<T extends Dim>(shape: readonly T[], axes: readonly number[], keepDims: boolean): T[] {
  const reduced = new Set(axes);
  return shape.flatMap((dim, axis) => (!reduced.has(axis) ? [dim] : keepDims ? [1 as T] : []));
}
