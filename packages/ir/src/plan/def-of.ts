import type { Node } from '../graph/node.js';
import type { OpDef } from '../ops/op-table.js';

/**
 * The definition of `node`'s op, which the node carries ({@link Node.def}). Every op-definition
 * lookup of the planner and the kernel templates goes through here, so how a node reaches its
 * definition is decided in one place.
 */
export function defOf(node: Node): OpDef {
  return node.def;
}
