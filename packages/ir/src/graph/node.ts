import type { SymbolicDim } from '../dim.js';
import type { DType } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Expr } from '../expr/expr.js';
import type { OpDef } from '../ops/op-table.js';
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
    /** Name of the op (`def.name`). */
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
    /**
     * The op's definition (its `name` is {@link Node.op}). Not part of the hash: the hash names the
     * op, and `makeNode` refuses two different definitions under one name among live nodes.
     */
    readonly def: OpDef,
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
 * Whether `node` is the live node {@link internNode} built for its hash: its type was inferred and
 * its hash computed from its (frozen) operands and attributes when it was built.
 *
 * @internal
 */
export function isInternedNode(node: Node): boolean {
  return interned.get(node.hash)?.deref() === node;
}

/**
 * Builds (or finds) the node for op `def` applied to `inputs` with `attrs`: what `makeNode` does
 * once the op is known. Op builders call it with their own definition.
 *
 * @internal Use `makeNode` or the op builders.
 */
export function internNode(def: OpDef, inputs: readonly Node[], attrs: Attrs = {}, block?: string): Node {
  const name = def.name;
  if (def.arity !== 'variadic' && def.arity !== inputs.length) {
    throw new GraphError(`op "${name}" takes ${def.arity} operand(s)`, {
      ...(block === undefined ? {} : { block }),
      expected: def.arity,
      actual: inputs.length,
    });
  }
  const type = def.infer(inputs, attrs, block === undefined ? { op: name } : { op: name, block });
  const hash = structuralHash(name, inputs, attrs, type);
  const existing = interned.get(hash)?.deref();
  if (existing !== undefined) {
    if (existing.def !== def) {
      throw new GraphError(`two different definitions of op "${name}" are in use`, {
        ...(block === undefined ? {} : { block }),
        expected: 'one OpDef value per op name',
        actual: name,
      });
    }
    labelFromScope(existing);
    return existing;
  }
  const node = new Node(
    name,
    Object.freeze([...inputs]),
    Object.freeze({ ...attrs }),
    Object.freeze([...type.shape]),
    type.dtype,
    hash,
    def,
  );
  interned.set(hash, new WeakRef(node));
  registry.register(node, hash);
  labelFromScope(node);
  return node;
}
