import { type Graph, graphNodes, type Tensor64 } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';

/**
 * Random values for every parameter of `graph` (uniform in ±scale, away from zero), so that norm
 * gains, biases and gates are all exercised — unlike the model initializer's ones and zeros.
 */
export function randomGraphParams(graph: Graph, seed: number, scale = 0.5): Record<string, Tensor64> {
  const params: Record<string, Tensor64> = {};
  let offset = 0;
  for (const node of graphNodes(graph)) {
    if (node.op !== 'param') continue;
    params[String(node.attrs.name)] = randomTensor(node.shape as number[], {
      seed: seed + 7919 * ++offset,
      min: -scale,
      max: scale,
    });
  }
  return params;
}
