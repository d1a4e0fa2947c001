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
  // Null prototype: a dim named `__proto__` can be bound like any other.
  const bindings: Record<string, number> = Object.assign(Object.create(null), options.dims);
  for (const node of nodes) {
    if (node.op !== 'input' && node.op !== 'param') continue;
    const table = node.op === 'input' ? options.inputs : options.params;
    const name = node.attrs.name as string;
    const data = table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
    if (data === undefined || !('shape' in data) || (data as Tensor64).shape.length !== node.rank) continue;
    node.shape.forEach((dim, axis) => {
      if (isSymbolic(dim) && bindings[dim.name] === undefined)
        bindings[dim.name] = (data as Tensor64).shape[axis]!;
    });
  }
  for (const node of nodes) for (const dim of node.shape) resolveDim(dim, bindings);
  return bindings;
}
