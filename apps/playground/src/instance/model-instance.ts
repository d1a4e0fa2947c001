import { graphNodes, resolveShape } from '@weft/ir';
import { buildModelGraph, parseModelSpec, randomParameters } from '@weft/models';
import type { PlaygroundInstance } from './playground-instance.js';
import { seededValues } from './seeded-values.js';

/** Tokens per forward run of a model spec (fewer where the model's `maxSeq` is smaller). */
export const MODEL_TOKENS = 8;

/**
 * Builds a model spec (schema version 1 or 2) into its forward graph with seeded random weights
 * (`randomParameters`, seed 7) and {@link MODEL_TOKENS} token ids.
 *
 * @throws SpecError from `parseModelSpec`, with the JSON path of each problem.
 */
export function modelInstance(json: Record<string, unknown>): PlaygroundInstance {
  const spec = parseModelSpec(json);
  const { graph, seqDim } = buildModelGraph(spec, { mode: 'forward' });
  const tokens = Math.min(MODEL_TOKENS, spec.config.maxSeq);
  const dims = { [seqDim]: tokens };
  const inputs: Record<string, Float32Array | Int32Array> = {};
  for (const [index, node] of graphNodes(graph)
    .filter((candidate) => candidate.op === 'input')
    .entries()) {
    const count = resolveShape(node.shape, dims).reduce((product, size) => product * size, 1);
    inputs[String(node.attrs.name)] =
      node.dtype === 'i32'
        ? Int32Array.from({ length: count }, (_, position) => (position * 7 + 3) % spec.config.vocabSize)
        : seededValues(count, 5 + index);
  }
  return {
    title: `model: ${spec.kind}, ${spec.config.layers} layers, d_model ${spec.config.dModel}, ${tokens} tokens`,
    graph,
    inputs,
    params: randomParameters(graph, 7),
    dims,
  };
}
