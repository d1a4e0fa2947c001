import { type DimBindings, isSymbolic, resolveDim } from '../dim.js';
import type { Node } from '../graph/node.js';
import type { Tensor64 } from '../ops/op-table.js';
import type { InterpretOptions } from './interpret.js';

/**
 * The symbolic dim bindings of one run: `options.dims`, completed from the shapes of `Tensor64`
 * inputs and parameters for dims it leaves unbound. Every symbolic dim of the graph is checked
 * against its declared maximum (a `ShapeError` names the dim).
 */
export function bindDims(nodes: readonly Node[], options: InterpretOptions): DimBindings {
  const bindings: Record<string, number> = { ...options.dims };
  for (const node of nodes) {
    if (node.op !== 'input' && node.op !== 'param') continue;
    const data = (node.op === 'input' ? options.inputs : options.params)?.[node.attrs.name as string];
    if (data === undefined || !('shape' in data) || (data as Tensor64).shape.length !== node.rank) continue;
    node.shape.forEach((dim, axis) => {
      if (isSymbolic(dim) && bindings[dim.name] === undefined)
        bindings[dim.name] = (data as Tensor64).shape[axis]!;
    });
  }
  for (const node of nodes) for (const dim of node.shape) resolveDim(dim, bindings);
  return bindings;
}
