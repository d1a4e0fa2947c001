import { type Graph, graphNodes } from '../graph/graph.js';
import type { Node } from '../graph/node.js';

/**
 * SSA names of a graph's nodes: `%0`, `%1`, ... in the graph's topological order (operands
 * first, outputs in declaration order), the numbering shared by `formatGraph` and `formatKernelPlan`.
 */
export function nodeNames(graph: Graph): Map<Node, string> {
  return new Map(graphNodes(graph).map((node, index) => [node, `%${index}`]));
}
