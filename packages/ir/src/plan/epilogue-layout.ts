import { variable } from '../expr/expr.js';
import type { Node } from '../graph/node.js';
import { shapesEqual } from '../shape.js';
import { defOf } from './def-of.js';

/**
 * Where each element of a matmul epilogue comes from: every epilogue node (a kernel member that
 * depends on the matmul) is mapped to its *layout*, the matmul itself or the nearest placing op
 * (reshape, permute, slice: an op with `placeElement`) between it and the matmul. Nodes of one
 * layout share their index, so the kernel computes each epilogue value once per matmul element
 * and stores it at its place in the output (or not at all, outside a slice). `undefined` when some
 * epilogue node is not a function of one matmul element: an elementwise node that broadcasts a
 * matmul-dependent operand, an injective op that cannot place its operand's elements (broadcast,
 * pad, a reversed slice), or operands of different layouts.
 *
 * @param epilogue - the epilogue nodes, in topological order.
 */
export function epilogueLayout(matmul: Node, epilogue: readonly Node[]): Map<Node, Node> | undefined {
  const layouts = new Map<Node, Node>([[matmul, matmul]]);
  for (const node of epilogue) {
    const dependent = node.inputs.filter((operand) => layouts.has(operand));
    const def = defOf(node);
    if (dependent.length === 0) return undefined;
    if (def.placeElement !== undefined && node.inputs.length === 1) {
      if (!placesEveryElement(node)) return undefined;
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
 * Whether `node`'s op places each operand element at one result element (a pure function of the
 * node; the planner asks it of the same nodes over and over, so the answer is kept per node).
 */
function placesEveryElement(node: Node): boolean {
  let places = PLACES_EVERY_ELEMENT.get(node);
  if (places === undefined) {
    const probe = node.inputs[0]!.shape.map((_, axis) => variable(`i${axis}`, 'i32'));
    places = defOf(node).placeElement!(node, probe) !== undefined;
    PLACES_EVERY_ELEMENT.set(node, places);
  }
  return places;
}

const PLACES_EVERY_ELEMENT = new WeakMap<Node, boolean>();
