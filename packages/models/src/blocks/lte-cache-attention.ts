import { type AttentionSpec, attention } from '@weft/attention';
import { input, type Node, SpecError, withLabel } from '@weft/ir';
import { attentionOptionsOf } from './attention-part.js';
import { hoistAtCachePosition } from './cache-qk-hoist.js';
import {
  evictLteKeys,
  LTE_CACHE_ROWS,
  type LteCacheEntries,
  type LteCacheLayout,
  lteCacheMask,
  lteCandidateLifetimes,
  lteCandidateRows,
  lteCandidates,
} from './lte-kv-cache.js';
import { lengthAfterStep } from './nats-kv-cache.js';
import { checkRollingCacheSpec, type RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';
import { attendOverSlotRows } from './slot-lifetimes.js';

/** What {@link lteCacheAttention} builds. */
export interface LteCacheAttention {
  /** The attention output `[B, H, seq, dv]`. */
  readonly output: Node;
  /** Every state: keys, values, slot positions and router logits. */
  readonly states: readonly CacheState[];
}

/**
 * Attention of a step against an LTE KV cache (see {@link LteCacheLayout}): each query sees the
 * sinks, the retained buffer and its window, and after the step {@link evictLteKeys} drops, per
 * KV head on the device, every key the next query no longer sees. QK norm and RoPE run before the
 * kernel at the absolute positions `past + i`. `logits` `[B, Hkv, seq]` are the router logits c of
 * the step's tokens, taken as final: the router (`lteRouterLogits`) reads 3 tokens ahead, so a
 * caller decoding token by token supplies each token's logit once its 3 successors exist (a kept
 * decision is only read when the token leaves the window, w ≥ 3 steps later). State inputs
 * `${name}.cache.key|value` `[B, Hkv, capacity, d]`, `.cache.positions` (i32, position + 1) and
 * `.cache.scores` (f32).
 *
 * `spec` must be a causal spec with RoPE or no positions and index-free score mods, with as many
 * value heads as key heads.
 *
 * @example
 * ```ts
 * import { attention, causal } from '@weft/attention';
 *
 * const seq = symbolicDim('seq', { max: 16 });
 * const { output, states } = lteCacheAttention(
 *   attention({ heads: 4, kvHeads: 2, headDim: 16, mask: causal(), name: 'attn' }),
 *   {
 *     query: input('q', [1, 4, seq, 16]),
 *     key: input('k', [1, 2, seq, 16]),
 *     value: input('v', [1, 2, seq, 16]),
 *     logits: input('logits', [1, 2, seq]), // the router's c of the step's tokens
 *     tensors: {},
 *   },
 *   { past: input('past', [1], 'i32'), lte: lteCacheLayout({ window: 8, budget: 32, stepTokens: 16 }) },
 *   'attn',
 * ); // states: keys, values, positions and scores, each `${name}.cache.*` in and out
 * ```
 */
export function lteCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs & { readonly logits: Node },
  cache: { readonly past: Node; readonly lte: LteCacheLayout },
  name: string,
): LteCacheAttention {
  checkRollingCacheSpec(spec);
  const layout = cache.lte;
  const batch = inputs.key.shape[0] as number;
  const kvHeads = spec.kvHeads;
  if (spec.valueHeads !== kvHeads) {
    throw new SpecError(`attention "${spec.name}": an LTE cache needs as many value heads as key heads`, {
      block: spec.name,
      expected: `${kvHeads} value heads`,
      actual: spec.valueHeads,
    });
  }
  const logitShape = inputs.logits.shape;
  if (
    inputs.logits.rank !== 3 ||
    logitShape[0] !== batch ||
    logitShape[1] !== kvHeads ||
    logitShape[2] !== inputs.key.shape[2]
  ) {
    throw new SpecError(`attention "${spec.name}": the LTE router logits must be [batch, kvHeads, seq]`, {
      block: spec.name,
      tensor: 'logits',
      expected: `[${batch}, ${kvHeads}, seq]`,
      actual: `[${logitShape.join(', ')}]`,
    });
  }
  const masked = attention({
    ...attentionOptionsOf(spec),
    mask: lteCacheMask(layout, batch, kvHeads),
    name: spec.name,
  });
  const hoisted = hoistAtCachePosition(masked, inputs, cache.past, name);
  const { key, value } = hoisted.inputs;
  const slots = layout.capacity;
  const state: LteCacheEntries = {
    keys: input(`${name}.cache.key`, [batch, kvHeads, slots, key.shape[3]!]),
    values: input(`${name}.cache.value`, [batch, kvHeads, slots, value.shape[3]!]),
    positions: input(`${name}.cache.positions`, [batch, kvHeads, slots], 'i32'),
    scores: input(`${name}.cache.scores`, [batch, kvHeads, slots]),
  };
  const { candidates, lifetimes, rows } = withLabel(`${name}.cache.candidates`, () => {
    const built = lteCandidates(
      state,
      { keys: key, values: value, logits: inputs.logits },
      layout,
      cache.past,
    );
    const lived = lteCandidateLifetimes(built, layout);
    return { candidates: built, lifetimes: lived, rows: lteCandidateRows(built, lived, cache.past) };
  });
  const output = attendOverSlotRows(hoisted, candidates, rows, LTE_CACHE_ROWS);
  const next = withLabel(`${name}.cache.evict`, () =>
    evictLteKeys(candidates, lifetimes, layout, lengthAfterStep(cache.past, inputs.query.shape[2]!)),
  );
  return {
    output,
    states: [
      { input: state.keys, output: next.keys },
      { input: state.values, output: next.values },
      { input: state.positions, output: next.positions },
      { input: state.scores, output: next.scores },
    ],
  };
}
