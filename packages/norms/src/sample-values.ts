import { type Graph, graphNodes, maxElementCount, type Node } from '@weft/ir';

/** Values for every input and parameter of a graph, by name (row-major). */
export interface SampleValues {
  /** Run-time inputs by name. */
  readonly inputs: Record<string, Float32Array | Int32Array>;
  /** Parameters by name. */
  readonly params: Record<string, Float32Array>;
}

/**
 * Seeded sample values for a graph with static shapes: floats uniform in `±[0.1, 1]` (never 0),
 * running variances in `[0.5, 1.5]`, `rho` mixtures in `[0, 1]`. Inputs named in `fixed` keep the
 * given values (indices, masks).
 */
export function sampleValues(
  graph: Graph,
  seed: number,
  fixed: Readonly<Record<string, Float32Array | Int32Array>> = {},
): SampleValues {
  const random = mulberry32(seed);
  const inputs: Record<string, Float32Array | Int32Array> = {};
  const params: Record<string, Float32Array> = {};
  for (const node of graphNodes(graph)) {
    if (node.op !== 'input' && node.op !== 'param') continue;
    const name = node.attrs.name as string;
    if (node.op === 'input')
      inputs[name] =
        fixed[name] ?? Float32Array.from({ length: maxElementCount(node.shape) }, () => signed(random));
    else
      params[name] = Float32Array.from({ length: maxElementCount(node.shape) }, () =>
        parameterValue(node, random),
      );
  }
  return { inputs, params };
}

function parameterValue(node: Node, random: () => number): number {
  const name = node.attrs.name as string;
  if (name.endsWith('runningVar')) return 0.5 + random();
  if (name.endsWith('.rho')) return random();
  return signed(random);
}

/** Uniform in `[−1, −0.1] ∪ [0.1, 1]`. */
function signed(random: () => number): number {
  const magnitude = 0.1 + 0.9 * random();
  return random() < 0.5 ? -magnitude : magnitude;
}

/** mulberry32: a small seeded generator of floats in `[0, 1)`. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
