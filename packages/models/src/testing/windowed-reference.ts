import { ATTENTION_INDICES, BLOCK_BOUNDS, type Mask, makeMask } from '@weft/attention';
import { constant, interpret, tensor64 } from '@weft/ir';
import { attentionOptionsOf, isAttentionSpec } from '../blocks/attention-part.js';
import { layerBlockOptions } from '../blocks/stacks.js';
import { buildDecoderGraph, type DecoderLmDefinition } from '../model/decoder-graph.js';
import { modelDefinitionOf } from '../model/model-definition.js';
import { parseModelSpec } from '../spec/model-spec-json.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { TINY_LLAMA } from './tiny-specs.js';

/** Longest sequence the float64 references run (the model's own maxSeq is 16). */
export const REFERENCE_LENGTH = 40;

/**
 * The mask a cache policy is equivalent to, written from the policy's definition over absolute
 * positions (bottom-right query position q + Nk − Nq of a full-sequence run), independently of the
 * cache's slot arithmetic: keep k ≤ p and (k < sinks or k > p − window).
 */
export function equivalentMask(sinks: number, window: number): Mask {
  const { q, k, keyLength, queryLength } = ATTENTION_INDICES;
  const position = q.add(keyLength).sub(queryLength);
  const recent = k.gt(position.sub(constant(window, 'i32')));
  const keep = k.le(position).and(sinks > 0 ? recent.or(k.lt(constant(sinks, 'i32'))) : recent);
  const never = BLOCK_BOUNDS.keyStart.lt(constant(0, 'i32'));
  return makeMask(`window(${sinks}, ${window})`, keep, { empty: never, full: never });
}

/**
 * Float64 logits of the last position of `tokens` from the cache-free graph of `base` (TINY_LLAMA by
 * default) with `mask` added to every attention (dense attention under that mask).
 */
export function denseReference(
  parameters: Readonly<Record<string, Float32Array>>,
  mask: Mask | undefined,
  tokens: readonly number[],
  base: DecoderLmDefinition = modelDefinitionOf(parseModelSpec(TINY_LLAMA)),
): Float64Array {
  const definition: DecoderLmDefinition = {
    ...base,
    maxSeq: REFERENCE_LENGTH,
    block: (layer) => {
      const block = layerBlockOptions(base.block, layer);
      const parts = isAttentionSpec(block.attention) ? attentionOptionsOf(block.attention) : block.attention;
      return mask === undefined ? block : { ...block, attention: { ...parts, mask } };
    },
  };
  const { graph } = buildDecoderGraph(definition, { mode: 'forward' });
  const { logits } = interpret(graph, {
    inputs: { tokens: tensor64([1, tokens.length], Array.from(tokens), 'i32') },
    params: parameters,
    dims: { seq: tokens.length },
  });
  const vocab = base.vocabSize;
  return logits!.data.slice((tokens.length - 1) * vocab, tokens.length * vocab);
}

/** max|actual − expected| / max|expected|. */
export function normwiseError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let index = 0; index < expected.length; index++) {
    difference = Math.max(difference, Math.abs(actual[index]! - expected[index]!));
    scale = Math.max(scale, Math.abs(expected[index]!));
  }
  return difference / scale;
}

/** `count` token ids of TINY_LLAMA's vocabulary (48), from a seeded generator. */
export function randomTokens(count: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => random.nextUint32() % 48);
}

/**
 * Host-side simulation of a policy, step by step: the set of positions each cache slot holds
 * (written in order, one slot per position, a ring after the sinks), and the positions the next
 * query attends to, read from the slots.
 */
export function simulateSlots(capacity: number, sinks: number, window: number | undefined, length: number) {
  const slots = new Array<number>(capacity).fill(-1);
  let ring = 0;
  for (let position = 0; position < length; position++) {
    if (position < sinks) slots[position] = position;
    else {
      slots[sinks + ring] = position;
      ring = (ring + 1) % (capacity - sinks);
    }
  }
  const attended = slots
    .filter((p) => p >= 0 && (window === undefined || p < sinks || p > length - window))
    .sort((a, b) => a - b);
  return { slots, attended };
}
