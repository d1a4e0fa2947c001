import type { SymbolicDim } from '../dim.js';
import type { DType } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Expr } from '../expr/expr.js';
import { getOp } from '../ops/op-table.js';
import type { Shape } from '../shape.js';
import { structuralHash } from './hash.js';
import { labelFromScope } from './label.js';

/**
 * Values an op's attributes may hold. Exprs (code holes) and symbolic dims are allowed so that
 * ops such as `map` or `reshape` carry them; all of it serializes to JSON.
 */
export type AttrValue =
  | number
  | string
  | boolean
  | null
  | Expr
  | SymbolicDim
  | readonly AttrValue[]
  | { readonly [key: string]: AttrValue };

/** An op's attributes, by name. */
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Shape and dtype of a tensor value. */
export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * The one node type of the tensor IR: an op applied to input nodes with attributes.
 *
 * Nodes are immutable and hash-consed: {@link makeNode} returns the existing node when a
 * structurally equal one is alive, so common subexpressions are shared for free and
 * {@link Node.hash} is a stable structural key (the same graph built twice, in any process,
 * hashes the same). A node's user name (`layers.0.attn`) is a label kept outside the hash: see
 * `withLabel` and `labelOf`.
 */
export class Node implements TensorType {
  /** @internal Use {@link makeNode} or the op builders. */
  constructor(
    /** Name of the op in the op table. */
    readonly op: string,
    /** Operand nodes, in order. */
    readonly inputs: readonly Node[],
    /** Op attributes. */
    readonly attrs: Attrs,
    /** Inferred shape. */
    readonly shape: Shape,
    /** Inferred dtype. */
    readonly dtype: DType,
    /** Stable structural hash (hex). */
    readonly hash: string,
  ) {}

  /** Rank of the node's shape. */
  get rank(): number {
    return this.shape.length;
  }
}

const interned = new Map<string, WeakRef<Node>>();
const registry = new FinalizationRegistry<string>((hash) => {
  const ref = interned.get(hash);
  if (ref !== undefined && ref.deref() === undefined) interned.delete(hash);
});

/**
 * Builds (or finds) the node for `op(inputs, attrs)`. The op's shape/dtype rule runs here, so an
 * invalid node never exists: a bad operand throws a `WeftError` naming the op, tensor and dim.
 *
 * @param block - path of the user block being built, used in error messages.
 */
export function makeNode(op: string, inputs: readonly Node[], attrs: Attrs = {}, block?: string): Node {
  const def = getOp(op);
  if (def.arity !== 'variadic' && def.arity !== inputs.length) {
    throw new GraphError(`op "${op}" takes ${def.arity} operand(s)`, {
      ...(block === undefined ? {} : { block }),
      expected: def.arity,
      actual: inputs.length,
    });
  }
  const type = def.infer(inputs, attrs, block === undefined ? { op } : { op, block });
  const hash = structuralHash(op, inputs, attrs, type);
  const existing = interned.get(hash)?.deref();
  if (existing !== undefined) {
    labelFromScope(existing);
    return existing;
  }
  const node = new Node(
    op,
    Object.freeze([...inputs]),
    Object.freeze({ ...attrs }),
    Object.freeze([...type.shape]),
    type.dtype,
    hash,
  );
  interned.set(hash, new WeakRef(node));
  registry.register(node, hash);
  labelFromScope(node);
  return node;
}
