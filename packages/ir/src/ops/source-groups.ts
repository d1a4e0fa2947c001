import type { Node } from '../graph/node.js';
import { defOf } from '../plan/def-of.js';

/**
 * Whether `node` is a source whose values the caller supplies by name (`input`, `param`): a
 * `source` op with no `evaluate`, since the graph does not hold its values.
 */
export function isNamedSource(node: Node): boolean {
  const def = defOf(node);
  return def.fusion === 'source' && def.evaluate === undefined;
}

/**
 * Whether `node` is a source whose values the graph holds (`constant`, `literal`): a `source` op
 * that evaluates itself.
 */
export function isValueSource(node: Node): boolean {
  const def = defOf(node);
  return def.fusion === 'source' && def.evaluate !== undefined;
}
