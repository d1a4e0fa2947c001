import { GraphError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { rewriteGraph, ruleSet } from './rewrite.js';

/**
 * Replaces every node whose op has a `decompose` rule (extension ops such as `attention.flash`,
 * and built-ins defined by decomposition) with its decomposition into primitive ops, repeatedly,
 * until none is left. With `ops`, only those op names are decomposed.
 *
 * Used for the reference path and the unfused baseline; the fused path keeps extension ops whole
 * so their own templates run. Throws a `GraphError` when a decomposition changes the node's type.
 */
export function decomposeExtensionOps(graph: Graph, ops?: readonly string[]): Graph {
  const selected = ops === undefined ? undefined : new Set(ops);
  const decompose = (node: Node): Node | undefined => {
    if (selected !== undefined && !selected.has(node.op)) return undefined;
    const rule = node.def.decompose;
    if (rule === undefined) return undefined;
    const result = rule(node);
    if (result === node) {
      throw new GraphError(`op "${node.op}" decomposes into itself`, {
        tensor: node.op,
        expected: 'primitive ops',
      });
    }
    return result;
  };
  return rewriteGraph(graph, ruleSet('decompose', { '*': [decompose] }));
}
