import { type Graph, graphNodes } from '../graph/graph.js';
import type { Node } from '../graph/node.js';

/** What {@link eliminateDeadCode} reports. */
export interface DeadCodeResult {
  /** The graph: only nodes reachable from its outputs. */
  readonly graph: Graph;
  /** Graph inputs (`input` nodes) the outputs still read, by name. */
  readonly inputs: readonly Node[];
  /** Parameters (`param` nodes) the outputs still read, by name. */
  readonly params: readonly Node[];
  /** Names of inputs of `original` that the optimized graph no longer reads (e.g. `x * 0` folded away). */
  readonly unusedInputs: readonly string[];
  /** Names of parameters of `original` that the optimized graph no longer reads. */
  readonly unusedParams: readonly string[];
}

/**
 * Dead-code elimination. A graph holds only what its outputs reach (nodes are found by traversal
 * from the outputs, and hash-consing shares the rest), so the node set is already minimal; what
 * this pass adds is the report of which inputs and parameters are still read, compared with
 * `original` (the graph before optimization), so that a runtime neither uploads nor demands them.
 */
export function eliminateDeadCode(graph: Graph, original: Graph = graph): DeadCodeResult {
  const live = sourcesOf(graph);
  const before = sourcesOf(original);
  const liveNames = (nodes: readonly Node[]) => new Set(nodes.map(sourceName));
  const liveInputs = liveNames(live.inputs);
  const liveParams = liveNames(live.params);
  return {
    graph,
    inputs: live.inputs,
    params: live.params,
    unusedInputs: before.inputs.map(sourceName).filter((name) => !liveInputs.has(name)),
    unusedParams: before.params.map(sourceName).filter((name) => !liveParams.has(name)),
  };
}

// ---------------------------------------------------------------------------------------------
// Implementation

function sourcesOf(graph: Graph): { inputs: Node[]; params: Node[] } {
  const nodes = graphNodes(graph);
  const byName = (op: string) =>
    nodes.filter((node) => node.op === op).sort((a, b) => sourceName(a).localeCompare(sourceName(b)));
  return { inputs: byName('input'), params: byName('param') };
}

function sourceName(node: Node): string {
  return String(node.attrs.name);
}
