import type { Node } from '../graph/node.js';
import { getOp, type OpDef } from '../ops/op-table.js';

/**
 * The op table row of `node`. Every op-definition lookup of the planner and the kernel templates
 * goes through here, so how a node reaches its definition is decided in one place.
 */
export function defOf(node: Node): OpDef {
  return getOp(node.op);
}
