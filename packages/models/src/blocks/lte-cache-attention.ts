import { type AttentionSpec, attention, type LteRouterWeights } from '@weft/attention';
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
import {
  LTE_ROUTER_CONTEXT,
  LTE_ROUTER_REACH,
  lteStepRouterLogits,
  reviseRecentLogits,
} from './lte-router-step.js';
import { lengthAfterStep } from './nats-kv-cache.js';
import { checkRollingCacheSpec, type RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';
import { attendOverSlotRows } from './slot-lifetimes.js';

/** What {@link lteCacheAttention} builds. */
export interface LteCacheAttention {
  /** The attention output `[B, H, seq, dv]`. */
  readonly output: Node;
  /** Every state: keys, values, slot positions, router logits (and the router's context). */
  readonly states: readonly CacheState[];
}

/**
 * Attention of a step against an LTE KV cache (see {@link LteCacheLayout}): each query sees the
 * sinks, the retained buffer and its window, and after the step {@link evictLteKeys} drops, per
 * KV head on the device, every key the next query no longer sees. QK norm and RoPE run before the
 * kernel at the absolute positions `past + i`.
 *
 * The router logits c: with `router` (the layer's weights), the block computes them on the device
 * from concat(k, v) of the step's keys and values (before QK norm and RoPE) and of the 6 positions
 * before the step (state `${name}.cache.routerContext` `[B, Hkv, 6, 2d]`): the router reads 3
 * tokens ahead, so the step's last 3 logits are provisional and become final at the next step,
 * before any decision reads them (a kept decision is read when a token leaves the window, which
 * needs `window ≥ 3`). With `logits` `[B, Hkv, seq]` the caller supplies them, taken as final.
 * State inputs `${name}.cache.key|value` `[B, Hkv, capacity, d]`, `.cache.positions` (i32,
 * position + 1) and `.cache.scores` (f32).
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
 *     router: lteRouterParameters('attn.lte', 2, 16), // the router's weights: c computed in the block
 *     tensors: {},
 *   },
 *   { past: input('past', [1], 'i32'), lte: lteCacheLayout({ window: 8, budget: 32, stepTokens: 16 }) },
 *   'attn',
 * ); // states: keys, values, positions, scores and router context, each `${name}.cache.*` in and out
 * ```
 */
export function lteCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs & ({ readonly logits: Node } | { readonly router: LteRouterWeights }),
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
  if ('logits' in inputs) checkLogits(spec.name, inputs.logits, [batch, kvHeads, inputs.key.shape[2]!]);
  else if (layout.window < LTE_ROUTER_REACH) {
    throw new SpecError(
      `attention "${spec.name}": the LTE router reads ${LTE_ROUTER_REACH} tokens ahead: window must be ≥ ${LTE_ROUTER_REACH}`,
      { block: spec.name, expected: `window ≥ ${LTE_ROUTER_REACH}`, actual: layout.window },
    );
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
  const dim = inputs.key.shape[3] as number;
  const context =
    'router' in inputs
      ? input(`${name}.cache.routerContext`, [batch, kvHeads, LTE_ROUTER_CONTEXT, 2 * dim])
      : undefined;
  const routed =
    context === undefined || !('router' in inputs)
      ? undefined
      : withLabel(`${name}.router`, () =>
          lteStepRouterLogits(context, inputs, inputs.router, cache.past, layout.stepTokens),
        );
  const { candidates, lifetimes, rows } = withLabel(`${name}.slots`, () => {
    const retained =
      routed === undefined
        ? state
        : { ...state, scores: reviseRecentLogits(state.positions, state.scores, routed.revised, cache.past) };
    const logits = routed === undefined ? (inputs as { readonly logits: Node }).logits : routed.fresh;
    const built = lteCandidates(retained, { keys: key, values: value, logits }, layout, cache.past);
    const lived = lteCandidateLifetimes(built, layout);
    return { candidates: built, lifetimes: lived, rows: lteCandidateRows(built, lived, cache.past) };
  });
  const output = attendOverSlotRows(hoisted, candidates, rows, LTE_CACHE_ROWS);
  const next = withLabel(`${name}.evict`, () =>
    evictLteKeys(candidates, lifetimes, layout, lengthAfterStep(cache.past, inputs.query.shape[2]!)),
  );
  return {
    output,
    states: [
      { input: state.keys, output: next.keys },
      { input: state.values, output: next.values },
      { input: state.positions, output: next.positions },
      { input: state.scores, output: next.scores },
      ...(context === undefined || routed === undefined ? [] : [{ input: context, output: routed.context }]),
    ],
  };
}

function checkLogits(block: string, logits: Node, expected: readonly Node['shape'][number][]): void {
  const shape = logits.shape;
  if (logits.rank !== 3 || expected.some((dim, axis) => shape[axis] !== dim)) {
    throw new SpecError(`attention "${block}": the LTE router logits must be [batch, kvHeads, seq]`, {
      block,
      tensor: 'logits',
      expected: `[${expected.slice(0, 2).join(', ')}, seq]`,
      actual: `[${shape.join(', ')}]`,
    });
  }
}
