import { type AttentionSpec, applyAttention, attention } from '@weft/attention';
import { add, dimExpr, input, mapElements, type Node, SpecError, variable, withLabel } from '@weft/ir';
import { attentionOptionsOf } from './attention-part.js';
import { hoistAtCachePosition } from './cache-qk-hoist.js';
import {
  evictHeavyHitters,
  HEAVY_HITTER_POSITIONS,
  type HeavyHitterEntries,
  type HeavyHitterLayout,
  heavyHitterCacheMask,
  heavyHitterCandidates,
  receivedAttention,
} from './heavy-hitter-kv-cache.js';
import { PAST_TENSOR } from './kv-cache.js';
import { checkRollingCacheSpec, type RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';

/** What {@link heavyHitterCacheAttention} builds. */
export interface HeavyHitterCacheAttention {
  /** The attention output `[B, H, seq, dv]`. */
  readonly output: Node;
  /** The key and value cache states. */
  readonly cache: { readonly key: CacheState; readonly value: CacheState };
  /** Every state: keys, values, slot positions and scores. */
  readonly states: readonly CacheState[];
}

/**
 * Attention of a step against a heavy-hitter KV cache (see {@link HeavyHitterLayout}). QK norm and
 * RoPE run before the kernel at the absolute positions `past + i` (each key rotated once); the
 * kernel attends over the retained slots of each KV head (per-head validity from the slot
 * positions) and the step's fresh slots, and its `probeRows` readout gives each candidate's
 * attention, which is added to its score; then {@link evictHeavyHitters} keeps the recent and
 * heavy entries of each KV head and compacts them. State inputs `${name}.cache.key|value`
 * `[B, Hkv, capacity, d]`, `.cache.positions` (i32, position + 1) and `.cache.scores`.
 *
 * `spec` must be a causal softmax spec with RoPE or no positions and index-free score mods.
 */
export function heavyHitterCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs,
  cache: { readonly past: Node; readonly heavyHitter: HeavyHitterLayout },
  name: string,
): HeavyHitterCacheAttention {
  checkRollingCacheSpec(spec);
  if (spec.normalizer.name !== 'softmax') {
    throw new SpecError(`attention "${spec.name}": a heavy-hitter cache scores keys by softmax attention`, {
      block: spec.name,
      expected: 'softmax',
      actual: spec.normalizer.name,
    });
  }
  const layout = cache.heavyHitter;
  const batch = inputs.key.shape[0] as number;
  const kvHeads = spec.kvHeads;
  const masked = attention({
    ...attentionOptionsOf(spec),
    mask: heavyHitterCacheMask(layout, batch, kvHeads),
    outputs: { probeRows: Array.from({ length: layout.stepTokens }, (_, row) => row) },
    name: spec.name,
  });
  const hoisted = hoistAtCachePosition(masked, inputs, cache.past, name);
  const { key, value } = hoisted.inputs;
  const slots = layout.capacity;
  const state: HeavyHitterEntries = {
    keys: input(`${name}.cache.key`, [batch, kvHeads, slots, key.shape[3]!]),
    values: input(`${name}.cache.value`, [batch, value.shape[1]!, slots, value.shape[3]!]),
    positions: input(`${name}.cache.positions`, [batch, kvHeads, slots], 'i32'),
    scores: input(`${name}.cache.scores`, [batch, kvHeads, slots]),
  };
  if (spec.valueHeads !== kvHeads) {
    throw new SpecError(
      `attention "${spec.name}": a heavy-hitter cache needs as many value heads as key heads`,
      {
        block: spec.name,
        expected: `${kvHeads} value heads`,
        actual: spec.valueHeads,
      },
    );
  }
  const candidates = withLabel(`${name}.cache.candidates`, () =>
    heavyHitterCandidates(state, { keys: key, values: value }, layout, cache.past),
  );
  const { output, probeRows } = applyAttention(
    hoisted.spec,
    {
      ...hoisted.inputs,
      key: candidates.keys,
      value: candidates.values,
      // `past` served RoPE (hoisted); the kernel's mask reads the slot positions instead.
      tensors: { ...withoutPast(hoisted.inputs.tensors), [HEAVY_HITTER_POSITIONS]: state.positions },
    },
    { qkTransforms: 'inKernel' },
  );
  const next = withLabel(`${name}.cache.evict`, () => {
    const received = receivedAttention(probeRows!, kvHeads, inputs.query.shape[2]!);
    const scored = { ...candidates, scores: add(candidates.scores, received) };
    const length = mapElements([cache.past], variable('$0', 'i32').add(dimExpr(inputs.query.shape[2]!)));
    return evictHeavyHitters(scored, layout, length);
  });
  const keyState = { input: state.keys, output: next.keys };
  const valueState = { input: state.values, output: next.values };
  return {
    output,
    cache: { key: keyState, value: valueState },
    states: [
      keyState,
      valueState,
      { input: state.positions, output: next.positions },
      { input: state.scores, output: next.scores },
    ],
  };
}

function withoutPast(tensors: Readonly<Record<string, Node>> | undefined): Record<string, Node> {
  return Object.fromEntries(Object.entries(tensors ?? {}).filter(([name]) => name !== PAST_TENSOR));
}
