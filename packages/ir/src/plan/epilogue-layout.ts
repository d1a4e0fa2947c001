import type { Expr } from '../expr/expr.js';
import type { Node } from '../graph/node.js';
import { getOp } from '../ops/op-table.js';
import { shapesEqual } from '../shape.js';

/**
 * Where each element of a matmul epilogue comes from: every epilogue node (a kernel member that
 * depends on the matmul) is mapped to its *layout*, the matmul itself or the nearest placing op
 * (reshape, permute: an op with `placeElement`) between it and the matmul. Nodes of one layout
 * share their index, so the kernel computes each epilogue value once per matmul element and stores
 * it at its place in the output. `undefined` when some epilogue node is not a bijective function of
 * the matmul's elements: an elementwise node that broadcasts a matmul-dependent operand, an
 * injective op without `placeElement` (slice, pad, broadcast), or operands of different layouts.
 *
 * @param epilogue - the epilogue nodes, in topological order.
 */
export function epilogueLayout(matmul: Node, epilogue: readonly Node[]): Map<Node, Node> | undefined {
  const layouts = new Map<Node, Node>([[matmul, matmul]]);
  for (const node of epilogue) {
    const dependent = node.inputs.filter((operand) => layouts.has(operand));
    const def = getOp(node.op);
    if (dependent.length === 0) return undefined;
    if (def.placeElement !== undefined && node.inputs.length === 1) {
      layouts.set(node, node);
      continue;
    }
    const layout = layouts.get(dependent[0]!)!;
    const fits =
      def.fusion === 'elementwise' &&
      dependent.every((operand) => layouts.get(operand) === layout && shapesEqual(operand.shape, node.shape));
    if (!fits) return undefined;
    layouts.set(node, layout);
  }
  return layouts;
}

/**
 * The index of each layout of {@link epilogueLayout} for the matmul element at `matmulIndex`
 * (one i32 Expr per matmul axis), through the placing ops' `placeElement`.
 */
export function layoutIndices(
  layouts: ReadonlyMap<Node, Node>,
  matmul: Node,
  matmulIndex: readonly Expr[],
): Map<Node, readonly Expr[]> {
  const indices = new Map<Node, readonly Expr[]>([[matmul, matmulIndex]]);
  const indexOf = (layout: Node): readonly Expr[] => {
    const known = indices.get(layout);
    if (known !== undefined) return known;
    const operand = layout.inputs[0]!;
    const index = getOp(layout.op).placeElement!(layout, indexOf(layouts.get(operand)!));
    indices.set(layout, index);
    return index;
  };
  for (const layout of new Set(layouts.values())) indexOf(layout);
  return indices;
}
