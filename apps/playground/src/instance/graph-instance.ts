import { type Graph, graphNodes, isSymbolic, resolveShape } from '@weft/ir';
import type { PlaygroundInstance } from './playground-instance.js';
import { integerValues, seededValues } from './seeded-values.js';

/** What a symbolic dim of a graph is bound to in the page's run (less where its maximum is smaller). */
export const GRAPH_DIM = 32;

/**
 * A graph a TypeScript spec exports (a norm layer, a model's blocks, several attention calls), run
 * with seeded values for every input and parameter: f32 in `±[0.1, 1]`, i32 as `integerValues`;
 * each symbolic dim bound to {@link GRAPH_DIM} or its maximum, whichever is smaller.
 */
export function graphInstance(graph: Graph): PlaygroundInstance {
  const nodes = graphNodes(graph);
  const dims: Record<string, number> = {};
  for (const node of nodes)
    for (const dim of node.shape) if (isSymbolic(dim)) dims[dim.name] = Math.min(GRAPH_DIM, dim.max);
  const inputs: Record<string, Float32Array | Int32Array> = {};
  const params: Record<string, Float32Array> = {};
  nodes.forEach((node, index) => {
    if (node.op !== 'input' && node.op !== 'param') return;
    const shape = resolveShape(node.shape, dims);
    const count = shape.reduce((product, size) => product * size, 1);
    const name = String(node.attrs.name);
    if (node.op === 'param') params[name] = seededValues(count, 11 + index);
    else
      inputs[name] =
        node.dtype === 'i32' ? integerValues(shape, shape.at(-1) ?? 1) : seededValues(count, 1 + index);
  });
  const outputs = Object.keys(graph.outputs);
  return {
    title: `graph: ${nodes.length} nodes, output${outputs.length === 1 ? '' : 's'} ${outputs.join(', ')}`,
    graph,
    inputs,
    params,
    dims,
  };
}
