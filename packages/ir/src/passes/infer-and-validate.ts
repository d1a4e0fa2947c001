import type { Graph } from '../graph/graph.js';
import { rewriteGraph, ruleSet } from './rewrite.js';
import { verify } from './verify.js';

/**
 * The first pass: re-checks every node against its op's shape/dtype rule and the graph-level
 * invariants ({@link verify}), then rebuilds each node through `makeNode`, so a graph assembled
 * elsewhere (deserialized, or built by another copy of `@weft/ir`) comes out interned and
 * re-inferred. Throws a `WeftError` naming the node on the first violation.
 */
export function inferAndValidate(graph: Graph): Graph {
  verify(graph);
  return rewriteGraph(graph, REBUILD);
}

// Rebuilding over interned operands is all this pass needs from the rewriter: no rules.
const REBUILD = ruleSet('infer-and-validate', {});
