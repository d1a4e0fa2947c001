import {
  type Dim,
  type DimBindings,
  type Graph,
  graphNodes,
  InputError,
  isNamedSource,
  isSymbolic,
  type Node,
  resolveShape,
  type SymbolicDim,
} from '@weft/ir';

/** A graph's interface: its inputs, parameters and symbolic dims, found by traversal. */
export interface GraphSignature {
  /** `input` nodes by name. */
  readonly inputs: ReadonlyMap<string, Node>;
  /** `param` nodes by name. */
  readonly params: ReadonlyMap<string, Node>;
  /** Symbolic dims used anywhere in the graph, by name. */
  readonly dims: ReadonlyMap<string, SymbolicDim>;
  /**
   * Inputs whose values index a table (the indices of a `gather`, directly or through reshapes),
   * with the size of each indexed axis: their values are checked on the host before a run.
   */
  readonly indexBounds: ReadonlyMap<string, readonly IndexBound[]>;
}

/** The axis an input's values index: values must lie in `0..size-1`. */
export interface IndexBound {
  /** Size of the indexed axis (symbolic dims resolve per run). */
  readonly size: Dim;
  /** What is indexed, for messages: `gather from "embedding.tokens" axis 0`. */
  readonly what: string;
}

/** Collects a graph's inputs, parameters and symbolic dims. */
export function graphSignature(graph: Graph): GraphSignature {
  const inputs = new Map<string, Node>();
  const params = new Map<string, Node>();
  const dims = new Map<string, SymbolicDim>();
  const indexBounds = new Map<string, IndexBound[]>();
  for (const node of graphNodes(graph)) {
    for (const dim of node.shape) if (isSymbolic(dim)) dims.set(dim.name, dim);
    if (node.op === 'input') inputs.set(String(node.attrs.name), node);
    if (node.op === 'param') params.set(String(node.attrs.name), node);
    if (node.op === 'gather') {
      const [table, indices] = node.inputs as [Node, Node];
      let source = indices;
      while (source.op === 'reshape') source = source.inputs[0]!;
      if (source.op !== 'input') continue;
      const rank = table.shape.length;
      const axis = (((node.attrs.axis as number) % rank) + rank) % rank;
      const tableName = isNamedSource(table) ? ` "${String(table.attrs.name)}"` : '';
      const name = String(source.attrs.name);
      const bounds = indexBounds.get(name) ?? [];
      bounds.push({ size: table.shape[axis]!, what: `gather from${tableName} ${table.op} axis ${axis}` });
      indexBounds.set(name, bounds);
    }
  }
  return { inputs, params, dims, indexBounds };
}

/**
 * Checks the values of an index input (see {@link GraphSignature.indexBounds}) on the host, before
 * any dispatch: a GPU kernel would clamp an out-of-range index and compute a wrong row silently.
 * Throws an {@link InputError} naming the input, the element, the value and the bound.
 */
export function checkIndexValues(
  signature: GraphSignature,
  name: string,
  values: ArrayLike<number>,
  dims: DimBindings,
): void {
  const bounds = signature.indexBounds.get(name);
  if (bounds === undefined) return;
  for (const bound of bounds) {
    const size = resolveShape([bound.size], dims)[0]!;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (!(Number.isInteger(value) && value >= 0 && value < size)) {
        throw new InputError(`index out of range (${bound.what})`, {
          tensor: name,
          dimension: `element ${i}`,
          expected: `an integer index in 0..${size - 1}`,
          actual: value,
        });
      }
    }
  }
}

/**
 * Checks a run's dim bindings against the graph: every symbolic dim bound, none unknown, each
 * within its maximum. Returns the bindings restricted to the graph's dims.
 */
export function checkDims(signature: GraphSignature, dims: DimBindings = {}): DimBindings {
  for (const name of Object.keys(dims)) {
    if (!signature.dims.has(name)) {
      throw new InputError('unknown symbolic dim', {
        dimension: name,
        expected: [...signature.dims.keys()].join(', ') || 'no symbolic dims',
        actual: name,
      });
    }
  }
  const checked: Record<string, number> = Object.create(null);
  for (const dim of signature.dims.values()) {
    // resolveShape validates range and presence with a message naming the dim.
    checked[dim.name] = resolveShape([dim], dims)[0]!;
  }
  return checked;
}

/**
 * Checks that a run's inputs are the graph's inputs (by name); inputs in `optional` (persistent
 * state) may be left out.
 */
export function checkInputNames(
  signature: GraphSignature,
  names: readonly string[],
  optional: ReadonlySet<string> = new Set(),
): void {
  for (const name of names) {
    if (!signature.inputs.has(name)) {
      throw new InputError('unknown input', {
        tensor: name,
        expected: [...signature.inputs.keys()].join(', ') || 'no inputs',
        actual: name,
      });
    }
  }
  for (const name of signature.inputs.keys()) {
    if (!names.includes(name) && !optional.has(name)) throw new InputError('missing input', { tensor: name });
  }
}
