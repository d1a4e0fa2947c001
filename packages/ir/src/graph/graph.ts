import { GraphError } from '../errors.js';
import { Node } from './node.js';

/**
 * A computation: named output nodes, and the nodes they depend on. Inputs (`input` ops) and
 * parameters (`param` ops) are found by traversal.
 */
export interface Graph {
  /** Named outputs, in declaration order. */
  readonly outputs: Readonly<Record<string, Node>>;
}

/**
 * Builds a graph from its named outputs.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const graph = makeGraph({ y: reduce('sum', x, 1), z: elementwiseUnary('exp', x) });
 * ```
 */
export function makeGraph(outputs: Readonly<Record<string, Node>>): Graph {
  if (typeof outputs !== 'object' || outputs === null) {
    throw new GraphError('makeGraph takes an object of output nodes by name', {
      expected: '{ [output name]: Node }',
      actual: outputs === null ? 'null' : typeof outputs,
    });
  }
  const names = Object.keys(outputs);
  if (names.length === 0) {
    throw new GraphError('a graph needs at least one output', { expected: '>= 1 output', actual: 0 });
  }
  // A null-prototype record: an output named `__proto__` or `constructor` is an ordinary name.
  const record: Record<string, Node> = Object.create(null);
  for (const name of names) {
    const node = outputs[name];
    if (!isNodeLike(node)) {
      throw new GraphError(
        'a graph output must be a tensor node (built by an op such as input, add, matmul)',
        {
          tensor: name,
          expected: 'a Node',
          actual:
            node === null
              ? 'null'
              : Array.isArray(node)
                ? 'an array'
                : typeof node === 'object'
                  ? 'an object'
                  : String(node),
        },
      );
    }
    record[name] = node;
  }
  return Object.freeze({ outputs: Object.freeze(record) });
}

/** All nodes reachable from the outputs, operands before users, in a deterministic order. */
export function topoSort(roots: readonly Node[]): Node[] {
  return topoSortExcept(roots, NOTHING);
}

const NOTHING: { has(node: Node): boolean } = { has: () => false };

/**
 * {@link topoSort} without the nodes of `done` and whatever is reachable only through them: the
 * same order with those left out, when `done` holds whole cones (every operand of a node in `done`
 * is in `done`), as a pass's table of finished nodes does.
 *
 * @internal
 */
export function topoSortExcept(roots: readonly Node[], done: { has(node: Node): boolean }): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  // Iterative DFS: graphs of deep models exceed the JS call stack.
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root) || done.has(root)) continue;
    seen.add(root);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const operand = top.node.inputs[top.next++];
      if (operand === undefined) {
        order.push(top.node);
        stack.pop();
      } else if (!seen.has(operand) && !done.has(operand)) {
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

/** A Node of this or another copy of the package (checked by shape, not only by class). */
function isNodeLike(value: unknown): value is Node {
  if (value instanceof Node) return true;
  if (typeof value !== 'object' || value === null) return false;
  const node = value as { op?: unknown; inputs?: unknown; shape?: unknown };
  return typeof node.op === 'string' && Array.isArray(node.inputs) && Array.isArray(node.shape);
}
