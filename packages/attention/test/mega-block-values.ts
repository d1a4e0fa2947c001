import { type Graph, graphNodes } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';

/**
 * Random f32 values (fresh for each seed) for x and every parameter of a `megaBlock` graph, by the
 * role its name ends with: LayerNorm gains in [0.5, 1.5], biases and QK offsets ±0.1, EMA δ and α
 * ±2 (damping q from near 0 to near 1), EMA β, γ, ω and the QK scales ±1, the relative-position
 * table ±0.5, weights ±1/√fan-in, x ±1.
 */
export function megaBlockValues(graph: Graph, seed: number): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  graphNodes(graph)
    .filter((node) => node.op === 'param' || node.op === 'input')
    .forEach((node, index) => {
      const name = String(node.attrs.name);
      const shape = node.shape as number[];
      const draw = (min: number, max: number) =>
        Float32Array.from(randomTensor(shape, { seed: seed + index, min, max }).data);
      if (name.endsWith('norm.gamma')) values[name] = draw(0.5, 1.5);
      else if (name.endsWith('.bias') || name.endsWith('qk.beta') || name.endsWith('norm.beta'))
        values[name] = draw(-0.1, 0.1);
      else if (name.endsWith('ema.delta') || name.endsWith('ema.alpha')) values[name] = draw(-2, 2);
      else if (name.endsWith('relPosBias')) values[name] = draw(-0.5, 0.5);
      else if (name.endsWith('.weight'))
        values[name] = draw(-1 / Math.sqrt(shape[0]!), 1 / Math.sqrt(shape[0]!));
      else values[name] = draw(-1, 1);
    });
  return values;
}
