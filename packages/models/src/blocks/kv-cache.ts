import { ATTENTION_INDICES, BLOCK_BOUNDS, type Mask, makeMask } from '@weft/attention';
import {
  constant,
  dimExpr,
  full,
  gather,
  mapElements,
  type Node,
  reshape,
  tensorRef,
  variable,
  where,
} from '@weft/ir';
import type { HeavyHitterLayout } from './heavy-hitter-kv-cache.js';
import type { LandmarkCacheLayout } from './landmark-kv-cache.js';
import type { LteCacheLayout } from './lte-kv-cache.js';
import type { NatsCacheLayout } from './nats-kv-cache.js';
import type { RollingCacheLayout } from './rolling-kv-cache.js';
import { staticDimOf } from './static-dim.js';

/**
 * A KV cache as the decoder graph sees it. The cache keeps the last `maxSeq` positions
 * right-aligned: after a step with `seq` new tokens and `past` earlier ones, position `p` of the
 * sequence sits at slot `maxSeq − (past + seq) + p`, and slots before `maxSeq − (past + seq)` are
 * empty. Right alignment puts the new queries at the end of the keys, which is exactly the
 * bottom-right alignment of `causal()` and of RoPE/ALiBi inside the attention op (their query
 * position is `q + Nk − Nq`); both only depend on the distance between query and key, so the
 * shifted slots give the same scores as absolute positions.
 */
export interface KvCacheOptions {
  /** Slots per cache: the longest sequence a generation can reach. */
  readonly maxSeq: number;
  /** Tokens already in the cache, `[batch]` i32 (a run-time input). */
  readonly past: Node;
  /**
   * Keep the cache as a rolling cache of this layout instead (`maxSeq` is then unused): keys
   * stored after RoPE and QK norm, written into their ring slots without a shift (see
   * {@link RollingCacheLayout}).
   */
  readonly rolling?: RollingCacheLayout;
  /**
   * Keep the cache as a heavy-hitter cache of this layout instead (`maxSeq` and `rolling` are then
   * unused): per-KV-head slots compacted after each step's score-driven eviction (see
   * {@link HeavyHitterLayout}).
   */
  readonly heavyHitter?: HeavyHitterLayout;
  /**
   * Keep the cache as a NAtS cache of this layout instead: each token's type from the layer's own
   * projection `wType` of its input (see {@link NatsCacheLayout}).
   */
  readonly nats?: NatsCacheLayout;
  /**
   * Keep the cache as an LTE cache of this layout instead: each token's keep logit from the layer's
   * own router over its keys and values (see {@link LteCacheLayout}).
   */
  readonly lte?: LteCacheLayout;
  /**
   * Keep the cache as a landmark cache of this layout instead (`maxSeq` and `rolling` are then
   * unused): blocks with a landmark slot each, one token per step, each query attending to its
   * block and its retrieved blocks (see {@link LandmarkCacheLayout}).
   */
  readonly landmark?: LandmarkCacheLayout;
}

/** The layout of a step program's KV caches when not right-aligned `maxSeq` slots. */
export type CacheLayout =
  | RollingCacheLayout
  | HeavyHitterLayout
  | NatsCacheLayout
  | LteCacheLayout
  | LandmarkCacheLayout;

/** Whether `cache` keeps its keys after RoPE in slots of its own layout (not right-aligned `maxSeq` slots). */
export function isLayoutCache(cache: KvCacheOptions | undefined): boolean {
  return (
    cache !== undefined &&
    (cache.rolling !== undefined ||
      cache.heavyHitter !== undefined ||
      cache.nats !== undefined ||
      cache.lte !== undefined ||
      cache.landmark !== undefined)
  );
}

/** Name of the captured `past` tensor read by {@link cacheWindow}. */
export const PAST_TENSOR = 'past';

/**
 * The cache after appending `fresh` keys or values: `cache` `[B, Hkv, maxSeq, d]` shifted left by
 * `seq` slots, with `fresh` `[B, Hkv, seq, d]` written into the last `seq` slots. Two gathers and
 * a `where` over slot indices (one fused injective kernel on the GPU); `seq` may be symbolic.
 *
 * @example
 * ```ts
 * const freshKeys = input('freshKeys', [1, 2, symbolicDim('seq', { max: 64 }), 16]);
 * const keysNext = appendToCache(input('layers.0.attn.cache.key', [1, 2, 64, 16]), freshKeys);
 * ```
 */
export function appendToCache(cache: Node, fresh: Node): Node {
  const maxSeq = staticDimOf(cache, 2, 'kv cache');
  const seq = dimExpr(fresh.shape[2]!);
  // The slot index is the element's own index (`i0`) over a filled `[maxSeq]` tensor: an iota
  // computed in the kernel, never a host array of maxSeq numbers.
  const slot = variable('i0', 'i32');
  const slots = full(0, [maxSeq], 'i32');
  const firstFresh = constant(maxSeq, 'i32').sub(seq);
  // Slot j takes old slot j + seq, or fresh row j − (maxSeq − seq); both clamped to stay in range.
  const oldSlot = mapElements([slots], slot.add(seq).min(constant(maxSeq - 1, 'i32')));
  const freshRow = mapElements([slots], slot.sub(firstFresh).max(constant(0, 'i32')));
  const isFresh = mapElements([slots], slot.ge(firstFresh));
  return where(reshape(isFresh, [maxSeq, 1]), gather(fresh, freshRow, 2), gather(cache, oldSlot, 2));
}

/**
 * The mask that hides the empty slots of a right-aligned cache: keeps keys `k ≥ Nk − Nq − past[b]`
 * (`past` is the captured `[batch]` i32 tensor {@link PAST_TENSOR}, one count per sequence).
 * Combine it with `causal()`.
 * Its block rule lets the attention kernel skip the empty leading blocks.
 */
export function cacheWindow(batch = 1): Mask {
  const past = tensorRef(PAST_TENSOR, [batch], 'i32');
  const { b, k, keyLength, queryLength } = ATTENTION_INDICES;
  const start = keyLength.sub(queryLength).sub(past.at(b));
  return makeMask(
    'cacheWindow(past)',
    k.ge(start),
    { empty: BLOCK_BOUNDS.keyEnd.lt(start), full: BLOCK_BOUNDS.keyStart.ge(start) },
    { roles: { [PAST_TENSOR]: ['batch'] } },
  );
}
