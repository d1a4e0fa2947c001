import type { Dim } from '../dim.js';
import type { DType } from '../dtype.js';
import { DTYPES } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { constant } from '../expr/expr.js';
import { type Attrs, internNode, type Node } from '../graph/node.js';
import { emptyTensor64, tensor64 } from '../interpret/tensor64.js';
import { resolveShape } from '../shape.js';
import { choiceAttr, dimsAttr, integersAttr, numberAttr, numbersAttr, stringAttr } from './attr-readers.js';
import type { OpDef } from './op-table.js';

/**
 * A run-time input tensor, bound by name for each run. Shape may hold symbolic dims.
 *
 * @example
 * ```ts
 * const tokens = input('tokens', [1, 12], 'i32');
 * const x = input('x', [symbolicDim('seq', { max: 512 }), 64]); // f32 by default
 * ```
 */
export function input(name: string, shape: readonly Dim[], dtype: DType = 'f32'): Node {
  return internNode(inputOp, [], { name, shape: [...shape], dtype });
}

/**
 * A parameter (weight) tensor, uploaded once and looked up by name.
 *
 * @example
 * ```ts
 * const w = param('layers.0.mlp.up', [64, 256]); // bound through compile(graph, { params })
 * ```
 */
export function param(name: string, shape: readonly Dim[], dtype: DType = 'f32'): Node {
  return internNode(paramOp, [], { name, shape: [...shape], dtype });
}

/**
 * A tensor of `shape` (default scalar `[]`) filled with `value`.
 *
 * @example
 * ```ts
 * const ones = full(1, [4, 8]);
 * const half = full(0.5); // a scalar
 * ```
 */
export function full(value: number, shape: readonly Dim[] = [], dtype: DType = 'f32'): Node {
  return internNode(constantOp, [], { value, shape: [...shape], dtype });
}

/**
 * A small constant tensor with the given row-major `values`.
 *
 * @example
 * ```ts
 * const table = literal([1, 2, 3, 4, 5, 6], [2, 3]);
 * ```
 */
export function literal(values: readonly number[], shape: readonly number[], dtype: DType = 'f32'): Node {
  return internNode(literalOp, [], { values: [...values], shape: [...shape], dtype });
}

const namedSource = (name: 'input' | 'param'): OpDef => ({
  name,
  arity: 0,
  fusion: 'source',
  evaluatesF32: true,
  infer(_inputs, attrs, context) {
    stringAttr(attrs, 'name', context);
    return { shape: dimsAttr(attrs, 'shape', context), dtype: dtypeAttr(attrs, context) };
  },
});

/** `input`: a run-time input (values supplied by the caller of `interpret` or `program.run`). */
export const inputOp: OpDef = namedSource('input');

/** `param`: a weight looked up by name (values supplied once). */
export const paramOp: OpDef = namedSource('param');

/** `constant`: `shape` filled with `value`. */
export const constantOp: OpDef = {
  name: 'constant',
  arity: 0,
  fusion: 'source',
  evaluatesF32: true,
  infer(_inputs, attrs, context) {
    numberAttr(attrs, 'value', context);
    return { shape: dimsAttr(attrs, 'shape', context), dtype: dtypeAttr(attrs, context) };
  },
  evaluate(_inputs, attrs, node, env) {
    const result = emptyTensor64(resolveShape(node.shape, env.dims), node.dtype);
    result.data.fill(attrs.value as number);
    return result;
  },
  lowerElement: (node) => constant(node.attrs.value as number, node.dtype),
};

/** `literal`: a small constant tensor with explicit values. */
export const literalOp: OpDef = {
  name: 'literal',
  arity: 0,
  fusion: 'source',
  evaluatesF32: true,
  infer(_inputs, attrs, context) {
    const values = numbersAttr(attrs, 'values', context);
    const shape = integersAttr(attrs, 'shape', context);
    const count = shape.reduce((product, dim) => product * dim, 1);
    if (shape.some((dim) => dim < 1) || count !== values.length) {
      throw new ShapeError('literal values do not fill its shape', {
        ...(context.block === undefined ? {} : { block: context.block }),
        tensor: 'literal',
        expected: `${count} values for shape [${shape.join(', ')}] (dims >= 1)`,
        actual: values.length,
      });
    }
    return { shape, dtype: dtypeAttr(attrs, context) };
  },
  evaluate: (_inputs, attrs, node) => tensor64(node.shape as number[], attrs.values as number[], node.dtype),
};

function dtypeAttr(attrs: Attrs, context: Parameters<OpDef['infer']>[2]): DType {
  return choiceAttr(attrs, 'dtype', DTYPES, context);
}
