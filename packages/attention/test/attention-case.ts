import {
  type Dim,
  decomposeExtensionOps,
  type Graph,
  input,
  interpret,
  makeGraph,
  type Node,
  type Tensor64,
  tensorRef,
} from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import {
  type AttentionOptions,
  type AttentionSpec,
  applyAttention,
  attention,
  type WeightedGqa,
} from '../src/index.js';

/** Shapes of one attention test case. */
export interface CaseShape {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  /** Value heads (default kvHeads). */
  readonly valueHeads?: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** A built attention test case: the spec, its graph pieces and seeded inputs. */
export interface AttentionCase {
  readonly spec: AttentionSpec;
  readonly shape: CaseShape;
  readonly output: Node;
  readonly logSumExp?: Node;
  readonly rowMax?: Node;
  readonly entropy?: Node;
  readonly diagonal?: Node;
  readonly segmentMass?: Node;
  readonly probeRows?: Node;
  readonly relativeMass?: Node;
  readonly inputs: Record<string, Tensor64>;
  readonly dims: Record<string, number>;
}

/** Builds inputs q, k, v (and the given extra tensors) and applies the spec to them. */
export function buildCase(
  shape: CaseShape,
  options: Omit<AttentionOptions, 'heads' | 'kvHeads' | 'headDim' | 'valueDim'> & {
    /** A head layout replacing `shape.heads`/`shape.kvHeads` in the spec (weighted GQA). */
    readonly heads?: WeightedGqa;
  },
  extra: Record<string, { tensor: Tensor64; shape?: readonly Dim[]; param?: boolean }> = {},
  seed = 1,
  symbolic?: { queries: Dim; keys: Dim },
): AttentionCase {
  const spec = attention({
    ...options,
    ...(options.heads === undefined
      ? { heads: shape.heads, kvHeads: shape.kvHeads }
      : { heads: options.heads }),
    ...(shape.valueHeads === undefined ? {} : { valueHeads: shape.valueHeads }),
    headDim: shape.headDim,
    valueDim: shape.valueDim,
  });
  const queries = symbolic?.queries ?? shape.queries;
  const keys = symbolic?.keys ?? shape.keys;
  const query = input('q', [shape.batch, shape.heads, queries, shape.headDim]);
  const key = input('k', [shape.batch, shape.kvHeads, keys, shape.headDim]);
  const valueHeads = shape.valueHeads ?? shape.kvHeads;
  const value = input('v', [shape.batch, valueHeads, keys, shape.valueDim]);
  const tensors: Record<string, Node> = {};
  // Parameters the spec owns are left unbound: applyAttention makes them `param` nodes.
  for (const [name, { tensor, shape: declared, param }] of Object.entries(extra))
    if (param !== true) tensors[name] = input(name, declared ?? tensor.shape, tensor.dtype);
  const result = applyAttention(spec, { query, key, value, tensors });
  const inputs: Record<string, Tensor64> = {
    q: randomTensor([shape.batch, shape.heads, shape.queries, shape.headDim], { seed }),
    k: randomTensor([shape.batch, shape.kvHeads, shape.keys, shape.headDim], { seed: seed + 1 }),
    v: randomTensor([shape.batch, valueHeads, shape.keys, shape.valueDim], { seed: seed + 2 }),
    ...Object.fromEntries(Object.entries(extra).map(([name, { tensor }]) => [name, tensor])),
  };
  const dims: Record<string, number> = {};
  if (symbolic !== undefined) {
    if (typeof symbolic.queries !== 'number') dims[symbolic.queries.name] = shape.queries;
    if (typeof symbolic.keys !== 'number') dims[symbolic.keys.name] = shape.keys;
  }
  return {
    spec,
    shape,
    output: result.output,
    ...(result.logSumExp === undefined ? {} : { logSumExp: result.logSumExp }),
    ...(result.rowMax === undefined ? {} : { rowMax: result.rowMax }),
    ...(result.entropy === undefined ? {} : { entropy: result.entropy }),
    ...(result.diagonal === undefined ? {} : { diagonal: result.diagonal }),
    ...(result.segmentMass === undefined ? {} : { segmentMass: result.segmentMass }),
    ...(result.relativeMass === undefined ? {} : { relativeMass: result.relativeMass }),
    ...(result.probeRows === undefined ? {} : { probeRows: result.probeRows }),
    inputs,
    dims,
  };
}

/** The float64 reference (the op's `evaluate`) of a case's outputs. */
export function referenceOf(testCase: AttentionCase): Record<string, Tensor64> {
  const outputs = caseOutputs(testCase);
  return interpret(makeGraph(outputs), {
    inputs: testCase.inputs,
    params: testCase.inputs,
    dims: testCase.dims,
  });
}

/** The decomposition into primitive ops, interpreted in float64. */
export function decomposedOf(testCase: AttentionCase): Record<string, Tensor64> {
  const outputs = caseOutputs(testCase);
  return interpret(decomposeExtensionOps(makeGraph(outputs)), {
    inputs: testCase.inputs,
    params: testCase.inputs,
    dims: testCase.dims,
  });
}

/**
 * Checks the op's float64 output against `dense`, a hand-written float64 implementation (rtol
 * 1e-10: only the summation order differs), and the decomposition against the op (rtol 1e-9);
 * returns the op's output.
 */
export function expectReferenceAgrees(
  testCase: AttentionCase,
  dense: Tensor64 | ArrayLike<number>,
  label: string,
): Tensor64 {
  const reference = referenceOf(testCase).output!;
  expectClose(reference, dense, { rtol: 1e-10, atol: 1e-12, label });
  expectClose(decomposedOf(testCase).output!, reference, {
    rtol: 1e-9,
    atol: 1e-12,
    label: `${label} (decomposed)`,
  });
  return reference;
}

/** The graph of a case: O and whichever extra outputs the spec asks for. */
export function graphOf(testCase: AttentionCase): Graph {
  const outputs = caseOutputs(testCase);
  return makeGraph(outputs);
}

/** A `[batch]` or `[batch, n]` i32 tensor from rows of values. */
export function intTensor(shape: readonly number[], values: readonly number[]): Tensor64 {
  return { shape: [...shape], dtype: 'i32', data: Float64Array.from(values) };
}

export { tensorRef };

/** O and whichever extra outputs (row statistics, readouts) the case's spec asks for, by name. */
export function caseOutputs(testCase: AttentionCase): Record<string, Node> {
  const outputs: Record<string, Node> = { output: testCase.output };
  const names = [
    'logSumExp',
    'rowMax',
    'entropy',
    'diagonal',
    'segmentMass',
    'probeRows',
    'relativeMass',
  ] as const;
  for (const name of names) {
    const node = testCase[name];
    if (node !== undefined) outputs[name] = node;
  }
  return outputs;
}
