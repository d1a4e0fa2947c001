import { type AttentionSpec, attention } from '@weft/attention';
import { input, type Node, SpecError, withLabel } from '@weft/ir';
import { attentionOptionsOf } from './attention-part.js';
import { hoistAtCachePosition } from './cache-qk-hoist.js';
import {
  evictExpiredKeys,
  lengthAfterStep,
  NATS_CACHE_ROWS,
  type NatsCacheEntries,
  type NatsCacheLayout,
  natsCacheMask,
  natsCandidateLifetimes,
  natsCandidateRows,
  natsCandidates,
} from './nats-kv-cache.js';
import { checkRollingCacheSpec, type RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';
import { attendOverSlotRows } from './slot-lifetimes.js';

/** What {@link natsCacheAttention} builds. */
export interface NatsCacheAttention {
  /** The attention output `[B, H, seq, dv]`. */
  readonly output: Node;
  /** Every state: keys, values, slot positions and token types. */
  readonly states: readonly CacheState[];
}

/**
 * Attention of a step against a NAtS KV cache (see {@link NatsCacheLayout}). QK norm and RoPE run
 * before the kernel at the absolute positions `past + i`; each candidate's lifetime (Global ∞,
 * Local up to the next Global candidate, SlidingWindow position + w) gives the step rows that see
 * it, the kernel attends under that mask, and {@link evictExpiredKeys} drops, per KV head, every
 * key no later query sees, on the device. `typeLogits` `[B, Hkv, seq, 3]` are the step's
 * W_type x_j. State inputs `${name}.cache.key|value` `[B, Hkv, capacity, d]`, `.cache.positions`
 * (i32, position + 1) and `.cache.types` (i32).
 *
 * `spec` must be a causal spec with RoPE or no positions and index-free score mods, with as many
 * value heads as key heads.
 *
 * @example
 * ```ts
 * import { attention, causal } from '@weft/attention';
 *
 * const seq = symbolicDim('seq', { max: 16 });
 * const { output, states } = natsCacheAttention(
 *   attention({ heads: 4, kvHeads: 2, headDim: 16, mask: causal(), name: 'attn' }),
 *   {
 *     query: input('q', [1, 4, seq, 16]),
 *     key: input('k', [1, 2, seq, 16]),
 *     value: input('v', [1, 2, seq, 16]),
 *     typeLogits: input('typeLogits', [1, 2, seq, 3]), // W_type x of the step's tokens
 *     tensors: {},
 *   },
 *   { past: input('past', [1], 'i32'), nats: natsCacheLayout(64, 4, 16) },
 *   'attn',
 * ); // states: keys, values, positions and types, each `${name}.cache.*` in and out
 * ```
 */
export function natsCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs & { readonly typeLogits: Node },
  cache: { readonly past: Node; readonly nats: NatsCacheLayout },
  name: string,
): NatsCacheAttention {
  checkRollingCacheSpec(spec);
  const layout = cache.nats;
  const batch = inputs.key.shape[0] as number;
  const kvHeads = spec.kvHeads;
  if (spec.valueHeads !== kvHeads) {
    throw new SpecError(`attention "${spec.name}": a NAtS cache needs as many value heads as key heads`, {
      block: spec.name,
      expected: `${kvHeads} value heads`,
      actual: spec.valueHeads,
    });
  }
  const masked = attention({
    ...attentionOptionsOf(spec),
    mask: natsCacheMask(layout, batch, kvHeads),
    name: spec.name,
  });
  const hoisted = hoistAtCachePosition(masked, inputs, cache.past, name);
  const { key, value } = hoisted.inputs;
  const slots = layout.capacity;
  const state: NatsCacheEntries = {
    keys: input(`${name}.cache.key`, [batch, kvHeads, slots, key.shape[3]!]),
    values: input(`${name}.cache.value`, [batch, kvHeads, slots, value.shape[3]!]),
    positions: input(`${name}.cache.positions`, [batch, kvHeads, slots], 'i32'),
    types: input(`${name}.cache.types`, [batch, kvHeads, slots], 'i32'),
  };
  const { candidates, lifetimes, rows } = withLabel(`${name}.slots`, () => {
    const built = natsCandidates(
      state,
      { keys: key, values: value, typeLogits: inputs.typeLogits },
      layout,
      cache.past,
    );
    const lived = natsCandidateLifetimes(built, layout.window);
    return { candidates: built, lifetimes: lived, rows: natsCandidateRows(built, lived, cache.past) };
  });
  const output = attendOverSlotRows(hoisted, candidates, rows, NATS_CACHE_ROWS);
  const next = withLabel(`${name}.evict`, () =>
    evictExpiredKeys(candidates, lifetimes, layout, lengthAfterStep(cache.past, inputs.query.shape[2]!)),
  );
  return {
    output,
    states: [
      { input: state.keys, output: next.keys },
      { input: state.values, output: next.values },
      { input: state.positions, output: next.positions },
      { input: state.types, output: next.types },
    ],
  };
}
