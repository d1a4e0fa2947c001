import {
  type DimBindings,
  type Graph,
  graphNodes,
  InputError,
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
}

/** Collects a graph's inputs, parameters and symbolic dims. */
export function graphSignature(graph: Graph): GraphSignature {
  const inputs = new Map<string, Node>();
  const params = new Map<string, Node>();
  const dims = new Map<string, SymbolicDim>();
  for (const node of graphNodes(graph)) {
    for (const dim of node.shape) if (isSymbolic(dim)) dims.set(dim.name, dim);
    if (node.op === 'input') inputs.set(String(node.attrs.name), node);
    if (node.op === 'param') params.set(String(node.attrs.name), node);
  }
  return { inputs, params, dims };
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
  const checked: Record<string, number> = {};
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
