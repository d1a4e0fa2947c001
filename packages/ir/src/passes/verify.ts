import type { SymbolicDim } from '../dim.js';
import { GraphError, WeftError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import { structuralHash } from '../graph/hash.js';
import { isInternedNode, Node } from '../graph/node.js';
import { isNamedSource } from '../ops/source-groups.js';
import { formatShape, shapesEqual } from '../shape.js';

/**
 * Checks the invariants every pass must preserve, and throws a {@link GraphError} naming the node
 * (`%<index> <op>`, numbered operands-first as in `formatGraph`) on the first violation:
 * - the graph has outputs and every output and operand is a `Node`;
 * - the graph is acyclic;
 * - every op is registered and receives its arity;
 * - every node's stored shape and dtype equal what its op's rule infers now, and its hash is
 *   the structural hash of its op, operands, attributes and type (re-derived for nodes built
 *   elsewhere — deserialized, another copy of `@weft/ir`, constructed directly; a node `makeNode`
 *   interned was derived so when it was built);
 * - graph inputs and parameters are unambiguous (one node per name), and a symbolic dim name
 *   means one maximum everywhere.
 *
 * Tests run it after every pass (`runPipeline(graph, { verifyEachPass: true })`).
 */
export function verify(graph: Graph): void {
  const outputs = Object.entries(graph.outputs);
  if (outputs.length === 0)
    throw new GraphError('a graph needs at least one output', { expected: '>= 1 output' });
  for (const [name, node] of outputs) {
    if (!(node instanceof Node)) {
      throw new GraphError('graph output is not a node', {
        tensor: name,
        expected: 'a Node',
        actual: typeof node,
      });
    }
  }
  const order = postOrder(outputs.map(([, node]) => node));
  const names = new Map<Node, string>(order.map((node, index) => [node, `%${index} ${node.op}`]));
  for (const node of order) checkNode(node, names.get(node)!);
  checkSources(order, names);
}

// ---------------------------------------------------------------------------------------------
// Implementation

/** Operands-first order by an explicit-stack DFS that also detects cycles. */
function postOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 'open' | 'done'>();
  for (const root of roots) {
    if (state.has(root)) continue;
    state.set(root, 'open');
    const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs: unknown = top.node.inputs;
      if (!Array.isArray(inputs)) {
        throw new GraphError('node operands are not a list', {
          tensor: top.node.op,
          expected: 'an array of nodes',
        });
      }
      if (top.next >= inputs.length) {
        state.set(top.node, 'done');
        order.push(top.node);
        stack.pop();
        continue;
      }
      const operand: unknown = inputs[top.next++];
      if (!(operand instanceof Node)) {
        throw new GraphError(`operand ${top.next - 1} of a "${top.node.op}" node does not exist`, {
          tensor: top.node.op,
          expected: 'a Node',
          actual: operand === null ? 'null' : typeof operand,
        });
      }
      const seen = state.get(operand);
      if (seen === 'open') {
        throw new GraphError(`the graph has a cycle through a "${operand.op}" node`, {
          tensor: operand.op,
          expected: 'an acyclic graph',
          actual: stack.map((entry) => entry.node.op).join(' -> '),
        });
      }
      if (seen === undefined) {
        state.set(operand, 'open');
        stack.push({ node: operand, next: 0 });
      }
    }
  }
  return order;
}

function checkNode(node: Node, name: string): void {
  const def = node.def;
  if (def?.name !== node.op)
    throw new GraphError(`unknown op "${node.op}": the node carries no definition of it`, {
      tensor: name,
      actual: node.op,
    });
  if (def.arity !== 'variadic' && def.arity !== node.inputs.length) {
    throw new GraphError(`op "${node.op}" takes ${def.arity} operand(s)`, {
      tensor: name,
      expected: def.arity,
      actual: node.inputs.length,
    });
  }
  // A node this package interned had its type inferred and its hash computed when it was built.
  if (isInternedNode(node)) return;
  let inferred: { shape: Node['shape']; dtype: Node['dtype'] };
  try {
    inferred = def.infer(node.inputs, node.attrs, { op: node.op });
  } catch (error) {
    if (!WeftError.isInstance(error)) throw error;
    throw new GraphError(`node no longer passes its op's shape rule: ${error.message}`, { tensor: name });
  }
  if (inferred.dtype !== node.dtype || !shapesEqual(inferred.shape, node.shape)) {
    throw new GraphError('stored type differs from the inferred type', {
      tensor: name,
      expected: `${inferred.dtype}${formatShape(inferred.shape)}`,
      actual: `${node.dtype}${formatShape(node.shape)}`,
    });
  }
  const hash = structuralHash(node.op, node.inputs, node.attrs, inferred);
  if (hash !== node.hash) {
    throw new GraphError('stored hash differs from the structural hash', {
      tensor: name,
      expected: hash,
      actual: node.hash,
    });
  }
}

/** One node per input/param name, one maximum per symbolic dim name. */
function checkSources(order: readonly Node[], names: ReadonlyMap<Node, string>): void {
  const sources = new Map<string, Node>();
  const dims = new Map<string, SymbolicDim>();
  for (const node of order) {
    if (isNamedSource(node)) {
      const key = `${node.op}:${String(node.attrs.name)}`;
      const other = sources.get(key);
      if (other !== undefined && other !== node) {
        throw new GraphError(`two different ${node.op} nodes share a name`, {
          tensor: String(node.attrs.name),
          expected: `${other.dtype}${formatShape(other.shape)}`,
          actual: `${node.dtype}${formatShape(node.shape)}`,
        });
      }
      sources.set(key, node);
    }
    for (const dim of node.shape) {
      if (typeof dim === 'number') continue;
      const other = dims.get(dim.name);
      if (other !== undefined && other.max !== dim.max) {
        throw new GraphError('a symbolic dim has two different maxima', {
          tensor: names.get(node)!,
          dimension: dim.name,
          expected: other.max,
          actual: dim.max,
        });
      }
      dims.set(dim.name, dim);
    }
  }
}
