import { type Graph, graphNodes } from '@weft/ir';
import { initializeParameters, type ParameterToInitialize } from '../weights/random-init.js';

/**
 * The parameters a graph reads (its `param` nodes), each with the initialization its name calls
 * for: norm gains (`.gamma`), LayerScale scales (`.scale`) and nGPT step sizes (`.alpha`) start at
 * one; biases (`.beta`, `.bias`, `.b*` projections) at zero; matrices and embedding tables are
 * normal with variance 1/fan-in (the width `d` for `[V, d]` tables).
 *
 * @example
 * ```ts fragment
 * const parameters = graphParameters(buildDecoderLmGraph(config, { mode: 'forward' }).graph);
 * ```
 */
export function graphParameters(graph: Graph): ParameterToInitialize[] {
  const parameters: ParameterToInitialize[] = [];
  for (const node of graphNodes(graph)) {
    if (node.op !== 'param') continue;
    const name = String(node.attrs.name);
    const shape = node.shape as number[];
    parameters.push({ name, shape, ...initializationOf(name, shape) });
  }
  return parameters.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Seeded random values for every parameter of `graph` (see {@link graphParameters} for the rules).
 *
 * @example
 * ```ts
 * const graph = makeGraph({ y: linear(input('x', [4, 64]), { outFeatures: 32, weight: 'proj' }) });
 * const params = randomParameters(graph, 42); // Record<string, Float32Array>: proj [64, 32]
 * ```
 */
export function randomParameters(graph: Graph, seed: number): Record<string, Float32Array> {
  return Object.fromEntries(initializeParameters(graphParameters(graph), { seed }));
}

const TABLES = /(^|\.)(tokens|positions|head\.weight)$/;
const BIASES = /(\.beta|\.bias|\.b[A-Za-z]+)$/;
const UNIT = /(\.gamma|\.scale|\.alpha)$/;

function initializationOf(
  name: string,
  shape: readonly number[],
): Pick<ParameterToInitialize, 'init' | 'fanIn'> {
  if (UNIT.test(name)) return { init: 'ones' };
  if (BIASES.test(name)) return { init: 'zeros' };
  if (TABLES.test(name)) return { init: 'normal', fanIn: shape[shape.length - 1] ?? 1 };
  return { init: 'normal' };
}
