import { GraphError } from '../errors.js';
import type { Node } from './node.js';

/**
 * A computation: named output nodes, and the nodes they depend on. Inputs (`input` ops) and
 * parameters (`param` ops) are found by traversal.
 */
export interface Graph {
  /** Named outputs, in declaration order. */
  readonly outputs: Readonly<Record<string, Node>>;
}

/** Builds a graph from its named outputs. */
export function makeGraph(outputs: Readonly<Record<string, Node>>): Graph {
  if (Object.keys(outputs).length === 0) {
    throw new GraphError('a graph needs at least one output', { expected: '>= 1 output', actual: 0 });
  }
  return Object.freeze({ outputs: Object.freeze({ ...outputs }) });
}

/** All nodes reachable from the outputs, operands before users, in a deterministic order. */
export function topoSort(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  // Iterative DFS: graphs of deep models exceed the JS call stack.
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const operand = top.node.inputs[top.next++];
      if (operand === undefined) {
        order.push(top.node);
        stack.pop();
      } else if (!seen.has(operand)) {
        seen.add(operand);
        stack.push({ node: operand, next: 0 });
      }
    }
  }
  return order;
}

/** Nodes of a graph in topological order. */
export function graphNodes(graph: Graph): Node[] {
  return topoSort(Object.values(graph.outputs));
}

/** For each node, the nodes that use it (in topological order). */
export function usersOf(nodes: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>(nodes.map((node) => [node, []]));
  for (const node of nodes) {
    for (const operand of new Set(node.inputs)) users.get(operand)?.push(node);
  }
  return users;
}
