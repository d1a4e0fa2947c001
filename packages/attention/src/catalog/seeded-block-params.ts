import { type Graph, graphNodes } from '@weft/ir';
import { seeded, seededInRange } from './seeded-values.js';

/**
 * Seeded values for every parameter of a block graph, by the role its name ends with: LayerNorm
 * gains (`.gamma`) in [0.5, 1.5], biases (`.beta`, `.bias`) ±[0.01, 0.1], learned rows and
 * embeddings (`.inducing`, `.seeds`, `Embedding`) ±[0.1, 1], weights ±[0.1, 1]/√fan-in (the
 * first axis of an x·W weight).
 */
export function seededBlockParams(graph: Graph, firstSeed = 10): Record<string, Float32Array> {
  const params: Record<string, Float32Array> = {};
  graphNodes(graph)
    .filter((node) => node.op === 'param')
    .forEach((node, index) => {
      const name = String(node.attrs.name);
      const shape = node.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      const seed = firstSeed + index;
      if (name.endsWith('.gamma')) params[name] = seededInRange(count, seed, 0.5, 1.5);
      else if (name.endsWith('.beta') || name.endsWith('.bias'))
        params[name] = seeded(count, seed).map((b) => b / 10);
      else if (/(\.inducing|\.seeds|Embedding)$/.test(name)) params[name] = seeded(count, seed);
      else params[name] = seeded(count, seed).map((w) => w / Math.sqrt(shape[0]!));
    });
  return params;
}
