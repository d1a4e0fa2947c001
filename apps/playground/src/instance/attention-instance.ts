import { type AttentionSpec, applyAttention } from '@weft/attention';
import { type DType, type Graph, graphNodes, input, makeGraph, type Node, param } from '@weft/ir';
import { attentionFromJSON } from '@weft/models';
import { DEFAULT_TOLERANCE, ROPE_TOLERANCE } from '@weft/zoo';
import type { InstanceData, PlaygroundInstance } from './playground-instance.js';
import { integerValues, seededValues } from './seeded-values.js';

/** Positions (queries = keys) an attention spec is run at: 8 × 8 tiles of 16 for the mask map. */
export const ATTENTION_LENGTH = 128;

/**
 * Builds an attention spec written in JSON (the vocabulary of `attentionFromJSON`) into a graph
 * over seeded `q`, `k`, `v` of batch 1 and {@link ATTENTION_LENGTH} positions; the tensors the spec
 * names (`{ "tensor", "shape" }`) become parameters (f32) or inputs (i32) with seeded values.
 *
 * @throws SpecError from `attentionFromJSON`, with the JSON path of each problem.
 */
export function attentionInstance(json: Record<string, unknown>): PlaygroundInstance {
  const spec = attentionFromJSON(json, { name: 'attention' });
  const weightsSpec = spec.valueDim === ATTENTION_LENGTH ? spec : withValueDim(json, spec);
  return attentionSpecInstance(spec, tensorRefsIn(json), weightsSpec);
}

/**
 * Builds an attention spec (an `AttentionSpec`, as a TypeScript spec exports it) into a graph over
 * seeded `q`, `k`, `v` of batch 1 and {@link ATTENTION_LENGTH} positions, with `refs` the tensors
 * it captures, and its weights view from `weightsSpec` (the spec with value dim
 * {@link ATTENTION_LENGTH}; by default the spec with that value dim put in its place).
 *
 * @throws SpecError from `applyAttention` (a captured tensor not in `refs`, a bad shape).
 */
export function attentionSpecInstance(
  spec: AttentionSpec,
  refs: ReadonlyMap<string, TensorRef> = new Map(),
  weightsSpec: AttentionSpec | undefined = { ...spec, valueDim: ATTENTION_LENGTH },
): PlaygroundInstance {
  const main = applyToSeeded(spec, refs, spec.valueDim, seededValue(spec));
  return {
    title: `attention: ${spec.heads} heads (${spec.kvHeads} key/value), head dim ${spec.headDim}, ${ATTENTION_LENGTH} positions`,
    ...main,
    tolerance: spec.positions.name === 'rope' ? ROPE_TOLERANCE : DEFAULT_TOLERANCE,
    ...(spec.mask === undefined
      ? {}
      : { mask: { mask: spec.mask, queries: ATTENTION_LENGTH, keys: ATTENTION_LENGTH } }),
    ...(weightsSpec === undefined
      ? {}
      : { weights: applyToSeeded(weightsSpec, refs, ATTENTION_LENGTH, identityValue) }),
  };
}

/** A tensor an attention spec captures: its shape and dtype. */
export interface TensorRef {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Every `{ "tensor": name, "shape": [...] }` in the document, by name. */
function tensorRefsIn(json: unknown, found = new Map<string, TensorRef>()): Map<string, TensorRef> {
  if (Array.isArray(json)) for (const item of json) tensorRefsIn(item, found);
  else if (typeof json === 'object' && json !== null) {
    const record = json as Record<string, unknown>;
    if (typeof record.tensor === 'string' && Array.isArray(record.shape)) {
      found.set(record.tensor, {
        shape: record.shape as number[],
        dtype: record.dtype === 'i32' ? 'i32' : 'f32',
      });
    } else for (const value of Object.values(record)) tensorRefsIn(value, found);
  }
  return found;
}

type ValueData = (spec: AttentionSpec, length: number) => Float32Array;

function seededValue(spec: AttentionSpec): ValueData {
  return (_, length) => seededValues(spec.valueHeads * length * spec.valueDim, 3);
}

/** Per value head, the `length × length` identity: the output row of a query is its weights. */
function identityValue(spec: AttentionSpec, length: number): Float32Array {
  const data = new Float32Array(spec.valueHeads * length * length);
  for (let head = 0; head < spec.valueHeads; head++)
    for (let key = 0; key < length; key++) data[(head * length + key) * length + key] = 1;
  return data;
}

function withValueDim(json: Record<string, unknown>, spec: AttentionSpec): AttentionSpec | undefined {
  try {
    return attentionFromJSON({ ...json, valueDim: ATTENTION_LENGTH }, { name: spec.name });
  } catch {
    // A spec whose parts fix the value dim has no weights view; the main view still works.
    return undefined;
  }
}

function applyToSeeded(
  spec: AttentionSpec,
  refs: ReadonlyMap<string, TensorRef>,
  valueDim: number,
  values: ValueData,
): { graph: Graph } & InstanceData {
  const length = ATTENTION_LENGTH;
  const query = input('q', [1, spec.heads, length, spec.headDim]);
  const key = input('k', [1, spec.kvHeads, length, spec.headDim]);
  const value = input('v', [1, spec.valueHeads, length, valueDim]);
  const tensors: Record<string, Node> = {};
  const inputs: Record<string, Float32Array | Int32Array> = {
    q: seededValues(spec.heads * length * spec.headDim, 1),
    k: seededValues(spec.kvHeads * length * spec.headDim, 2),
    v: values(spec, length),
  };
  for (const [name, ref] of refs) {
    if (ref.dtype === 'i32') {
      tensors[name] = input(name, ref.shape, 'i32');
      inputs[name] = integerValues(ref.shape, length);
    } else tensors[name] = param(name, ref.shape);
  }
  const result = applyAttention(spec, { query, key, value, tensors });
  const outputs: Record<string, Node> = { output: result.output };
  if (result.logSumExp !== undefined) outputs.logSumExp = result.logSumExp;
  if (result.rowMax !== undefined) outputs.rowMax = result.rowMax;
  const graph = makeGraph(outputs);
  // Parameters the spec names and those it owns (learned head weights) alike get seeded values.
  const params = Object.fromEntries(
    graphNodes(graph)
      .filter((node) => node.op === 'param')
      .map((node, index) => [
        String(node.attrs.name),
        seededValues(
          (node.shape as number[]).reduce((product, size) => product * size, 1),
          11 + index,
        ),
      ]),
  );
  return { graph, inputs, params, dims: {} };
}
