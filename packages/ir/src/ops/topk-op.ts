import { isSymbolic } from '../dim.js';
import { InputError, ShapeError } from '../errors.js';
import { internNode, type Node } from '../graph/node.js';
import { emptyTensor64, forEachLine, lineLayout } from '../interpret/tensor64.js';
import { normalizeAxis } from '../shape.js';
import { booleanAttr, choiceAttr, integerAttr } from './attr-readers.js';
import type { OpDef } from './op-table.js';
import { expectDType, operandContext } from './operand-checks.js';

/** Options of {@link topk}. */
export interface TopkOptions {
  /** Axis to select along (default −1). */
  readonly axis?: number;
  /** Largest values first (default true); false selects the smallest, ascending. */
  readonly largest?: boolean;
}

/**
 * The `k` largest (or smallest) entries along an axis, sorted, ties broken by the lower index
 * (ONNX `TopK`). Returns two nodes of shape `x.shape` with `axis` replaced by `k`: the values
 * (dtype of `x`) and their indices (i32).
 *
 * @example
 * ```ts
 * const { values, indices } = topk(input('logits', [1, 1000]), 5); // each [1, 5]
 * ```
 */
export function topk(x: Node, k: number, options: TopkOptions = {}): { values: Node; indices: Node } {
  const axis = normalizeAxis(options.axis ?? -1, x.rank, { tensor: 'topk operand 0' });
  const largest = options.largest ?? true;
  return {
    values: internNode(topkOp, [x], { k, axis, output: 'values', largest }),
    indices: internNode(topkOp, [x], { k, axis, output: 'indices', largest }),
  };
}

/** `topk`: `{ k, axis, output: 'values' | 'indices', largest }`. */
export const topkOp: OpDef = {
  name: 'topk',
  arity: 1,
  fusion: 'opaque',
  evaluatesF32: true,
  infer([x], attrs, context) {
    expectDType(x!, 0, ['f32', 'f16', 'i32', 'u32'], context);
    const axis = normalizeAxis(
      integerAttr(attrs, 'axis', context),
      x!.shape.length,
      operandContext(context, 0),
    );
    const k = integerAttr(attrs, 'k', context, 1);
    const output = choiceAttr(attrs, 'output', ['values', 'indices'], context);
    booleanAttr(attrs, 'largest', context, true);
    const size = x!.shape[axis]!;
    if (k > (isSymbolic(size) ? size.max : size)) {
      throw new ShapeError('topk k exceeds the axis size', {
        ...operandContext(context, 0, axis),
        expected: `k <= ${isSymbolic(size) ? size.max : size}`,
        actual: k,
      });
    }
    const shape = [...x!.shape];
    shape[axis] = k;
    return { shape, dtype: output === 'values' ? x!.dtype : 'i32' };
  },
  evaluate([x], attrs, node) {
    const axis = attrs.axis as number;
    const k = attrs.k as number;
    const layout = lineLayout(x!.shape, axis);
    if (k > layout.length) {
      throw new InputError('topk k exceeds the bound axis size', {
        tensor: 'topk operand 0',
        dimension: axis,
        expected: `>= ${k}`,
        actual: layout.length,
      });
    }
    const shape = [...x!.shape];
    shape[axis] = k;
    const result = emptyTensor64(shape, node.dtype);
    const sign = attrs.largest === false ? -1 : 1;
    const order = Array.from({ length: layout.length }, (_, j) => j);
    forEachLine(layout, (start, stride, line) => {
      const value = (j: number): number => x!.data[start + j * stride]!;
      order.sort((a, b) => sign * (value(b) - value(a)) || a - b);
      const outer = Math.floor(line / layout.innerCount);
      const inner = line % layout.innerCount;
      for (let j = 0; j < k; j++) {
        const picked = order[j]!;
        result.data[(outer * k + j) * layout.innerCount + inner] =
          attrs.output === 'values' ? value(picked) : picked;
      }
    });
    return result;
  },
};
