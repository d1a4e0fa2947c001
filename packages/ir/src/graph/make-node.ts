import { GraphError } from '../errors.js';
import { builtinOp } from '../ops/builtin-ops.js';
import type { OpDef } from '../ops/op-table.js';
import { type Attrs, internNode, type Node } from './node.js';

/**
 * Builds (or finds) the node for `op(inputs, attrs)`. The op's shape/dtype rule runs here, so an
 * invalid node never exists: a bad operand throws a `WeftError` naming the op, tensor and dim.
 *
 * @param op - the op's definition, or the name of a built-in op (see `BUILTIN_OPS`); extension
 *   ops are passed as their `OpDef` value.
 * @param block - path of the user block being built, used in error messages.
 * @throws GraphError for an unknown op name, or when a live node of the same structure was built
 *   with a different definition of the op.
 */
export function makeNode(
  op: string | OpDef,
  inputs: readonly Node[],
  attrs: Attrs = {},
  block?: string,
): Node {
  return internNode(typeof op === 'string' ? builtinOrThrow(op, block) : op, inputs, attrs, block);
}

function builtinOrThrow(op: string, block: string | undefined): OpDef {
  const def = builtinOp(op);
  if (def === undefined) {
    throw new GraphError(
      `unknown op "${op}": a name resolves only to a built-in op; pass an extension op's OpDef value`,
      {
        ...(block === undefined ? {} : { block }),
        expected: 'a built-in op name or an OpDef',
        actual: op,
      },
    );
  }
  return def;
}
