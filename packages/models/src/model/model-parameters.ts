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

/**
 * The parameters of a model's forward and step graphs together: the forward graph's, then those
 * only the step program reads (a cache policy's learned scorer: NAtS type projections, LTE
 * routers), sorted by name.
 *
 * @example
 * ```ts fragment
 * const config = parseModelSpec(spec).config;
 * const forward = buildDecoderLmGraph(config, { mode: 'forward' }).graph;
 * const step = buildDecoderLmGraph(config, { mode: 'step' }).graph;
 * const expected = modelGraphParameters(forward, step); // what a weights file must hold
 * ```
 */
export function modelGraphParameters(forward: Graph, step: Graph): ParameterToInitialize[] {
  const parameters = graphParameters(forward);
  const known = new Set(parameters.map((parameter) => parameter.name));
  const stepOnly = graphParameters(step).filter((parameter) => !known.has(parameter.name));
  return [...parameters, ...stepOnly].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Seeded random values for the parameters of a model's forward and step graphs: the forward
 * graph's exactly as {@link randomParameters} gives them (a cache policy leaves the model's other
 * weights unchanged), those only the step program reads drawn from `seed` on their own.
 *
 * @example
 * ```ts fragment
 * const params = randomModelParameters(forwardGraph, stepGraph, 42); // Record<string, Float32Array>
 * ```
 */
export function randomModelParameters(
  forward: Graph,
  step: Graph,
  seed: number,
): Record<string, Float32Array> {
  const parameters = randomParameters(forward, seed);
  const stepOnly = graphParameters(step).filter((parameter) => !(parameter.name in parameters));
  return { ...parameters, ...Object.fromEntries(initializeParameters(stepOnly, { seed })) };
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
