import { type AttentionSpec, applyAttention } from '@weft/attention';
import { input, type Node, type TensorRef } from '@weft/ir';

/** Batch, query heads, positions and head dim of the test calls. */
export const SIZES = { batch: 1, heads: 4, length: 24, dim: 16 } as const;

/**
 * The hash of the attention output of `spec` applied to inputs of the test sizes, the tensors it
 * reads bound as inputs: two specs with one hash build the same graph.
 */
export function attentionHash(spec: AttentionSpec, tensors: readonly TensorRef[] = []): string {
  const { batch, length } = SIZES;
  const bound: Record<string, Node> = {};
  for (const ref of tensors) bound[ref.name] = input(ref.name, ref.shape, ref.dtype);
  const { output, logSumExp, rowMax } = applyAttention(spec, {
    query: input('q', [batch, spec.heads, length, spec.headDim]),
    key: input('k', [batch, spec.kvHeads, length, spec.headDim]),
    value: input('v', [batch, spec.valueHeads, length, spec.valueDim]),
    tensors: bound,
  });
  return [output, logSumExp, rowMax].map((node) => node?.hash ?? '-').join('/');
}

/** Every `kind` value in a JSON document, at any depth. */
export function kindsIn(json: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(json)) for (const item of json) kindsIn(item, found);
  else if (typeof json === 'object' && json !== null) {
    for (const [key, value] of Object.entries(json)) {
      if (key === 'kind' && typeof value === 'string') found.add(value);
      else kindsIn(value, found);
    }
  }
  return found;
}
