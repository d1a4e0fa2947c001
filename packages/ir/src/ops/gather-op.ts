import { InputError, ShapeError } from '../errors.js';
import { type Expr, read } from '../expr/expr.js';
import { internNode, type Node } from '../graph/node.js';
import { emptyTensor64 } from '../interpret/tensor64.js';
import { normalizeAxis } from '../shape.js';
import { integerAttr } from './attr-readers.js';
import { clampIndex } from './index-math.js';
import type { OpDef } from './op-table.js';
import { expectDType, operandContext } from './operand-checks.js';

/**
 * Gathers slices of `table` along `axis` at integer `indices` (NumPy `take`, ONNX `Gather`):
 * out shape = `table.shape[:axis] ++ indices.shape ++ table.shape[axis+1:]`. An embedding lookup is
 * `gather(embeddings [vocab, d], tokens [b, s])` → `[b, s, d]`. Indices must lie in `0..size-1`:
 * the reference throws otherwise, GPU kernels clamp.
 *
 * @example
 * ```ts
 * const rows = gather(param('embedding', [1000, 64]), input('tokens', [1, 12], 'i32')); // [1, 12, 64]
 * ```
 */
export function gather(table: Node, indices: Node, axis = 0): Node {
  return internNode(gatherOp, [table, indices], { axis });
}

/**
 * Selects entries of `table` along `axis` at the 1-D `indices` (PyTorch `index_select`).
 *
 * @example
 * ```ts
 * const picked = indexSelect(input('x', [10, 64]), 0, input('rows', [3], 'i32')); // [3, 64]
 * ```
 */
export function indexSelect(table: Node, axis: number, indices: Node): Node {
  if (indices.rank !== 1) {
    throw new ShapeError('indexSelect takes 1-D indices', {
      tensor: 'gather operand 1',
      expected: 'rank 1',
      actual: indices.rank,
    });
  }
  return gather(table, indices, axis);
}

const lowerGather = (node: Node, outputIndex: readonly Expr[]): Expr => {
  const [table, indices] = node.inputs as [Node, Node];
  const axis = normalizeAxis(node.attrs.axis as number, table.rank);
  const position = read('$1', outputIndex.slice(axis, axis + indices.rank), indices.dtype).cast('i32');
  const index = [
    ...outputIndex.slice(0, axis),
    clampIndex(position, table.shape[axis]!),
    ...outputIndex.slice(axis + indices.rank),
  ];
  return read('$0', index, table.dtype);
};

/** `gather`: `{ axis }`, `(table, indices: i32|u32)`; see {@link gather}. */
export const gatherOp: OpDef = {
  name: 'gather',
  arity: 2,
  fusion: 'injective',
  evaluatesF32: true,
  infer([table, indices], attrs, context) {
    const axis = normalizeAxis(
      integerAttr(attrs, 'axis', context),
      table!.shape.length,
      operandContext(context, 0),
    );
    expectDType(indices!, 1, ['i32', 'u32'], context);
    const shape = [...table!.shape.slice(0, axis), ...indices!.shape, ...table!.shape.slice(axis + 1)];
    return { shape, dtype: table!.dtype };
  },
  evaluate([table, indices], attrs, node) {
    const axis = normalizeAxis(attrs.axis as number, table!.shape.length);
    const size = table!.shape[axis]!;
    const inner = table!.shape.slice(axis + 1).reduce((count, dim) => count * dim, 1);
    const outer = table!.shape.slice(0, axis).reduce((count, dim) => count * dim, 1);
    const count = indices!.data.length;
    const result = emptyTensor64(
      [...table!.shape.slice(0, axis), ...indices!.shape, ...table!.shape.slice(axis + 1)],
      node.dtype,
    );
    indices!.data.forEach((position, i) => {
      if (!(Number.isInteger(position) && position >= 0 && position < size)) {
        throw new InputError('gather index out of range', {
          tensor: 'gather operand 1',
          dimension: axis,
          expected: `an index in 0..${size - 1}`,
          actual: position,
        });
      }
      for (let o = 0; o < outer; o++) {
        const from = (o * size + position) * inner;
        result.data.set(table!.data.subarray(from, from + inner), (o * count + i) * inner);
      }
    });
    return result;
  },
  lowerElement: lowerGather,
};
