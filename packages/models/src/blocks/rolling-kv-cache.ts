import { ATTENTION_INDICES, BLOCK_BOUNDS, type Mask, makeMask } from '@weft/attention';
import {
  constant,
  dimExpr,
  type Expr,
  full,
  gather,
  mapElements,
  type Node,
  reshape,
  ShapeError,
  SpecError,
  tensorRef,
  variable,
  where,
} from '@weft/ir';
import { PAST_TENSOR } from './kv-cache.js';
import { staticDimOf } from './static-dim.js';

/**
 * Where a rolling KV cache keeps each position, as the decoder graph sees it. Slot `p` holds
 * position `p` for `p < sinks` (kept for ever); later positions go round a ring of
 * `capacity − sinks` slots: position `p ≥ sinks` sits in slot `sinks + (p − sinks) mod (capacity − sinks)`.
 * Nothing is shifted: a step writes its new rows into their slots and leaves the others in place.
 * The keys are stored rotated (RoPE at their absolute position), so the attention reads them as
 * they are, and the mask works from positions, not slot indices.
 */
export interface RollingCacheLayout {
  /** Slots per cache. */
  readonly capacity: number;
  /** Leading positions kept for ever (attention sinks); 0 for a plain rolling window. */
  readonly sinks: number;
  /**
   * Recent positions a query attends to, itself included (query p sees keys p − window < k ≤ p,
   * plus the sinks); `undefined` keeps every key (the cache then never wraps).
   */
  readonly window: number | undefined;
}

/**
 * Checks a layout: `capacity ≥ 1`, `0 ≤ sinks < capacity`, and a window (when given) of at least one
 * position that fits beside the sinks. Throws a `SpecError` naming the offending field.
 *
 * @example
 * ```ts
 * checkRollingCacheLayout({ capacity: 527, sinks: 0, window: 512 });
 * ```
 */
export function checkRollingCacheLayout(layout: RollingCacheLayout): RollingCacheLayout {
  const { capacity, sinks, window } = layout;
  const refuse = (key: string, expected: string, actual: unknown) => {
    throw new SpecError(`rolling kv cache: layout field "${key}" is out of range`, {
      block: 'rolling kv cache',
      expected,
      actual: actual as number,
    });
  };
  if (!(Number.isSafeInteger(capacity) && capacity >= 1)) refuse('capacity', 'an integer ≥ 1', capacity);
  if (!(Number.isSafeInteger(sinks) && sinks >= 0 && sinks < capacity))
    refuse('sinks', `an integer in 0..${capacity - 1}`, sinks);
  if (window !== undefined && !(Number.isSafeInteger(window) && window >= 1 && sinks + window <= capacity))
    refuse('window', `an integer in 1..${capacity - sinks}`, window);
  return layout;
}

/**
 * The position slot `slot` holds once positions `0..end − 1` are written, or −1 when the slot is
 * still empty (i32 Exprs). The latest position that maps to the slot: `slot` itself before the
 * ring wraps, else `slot + ring·⌊(end − 1 − slot)/ring⌋` (positions of one slot differ by `ring`).
 */
export function slotPositionExpr(layout: RollingCacheLayout, slot: Expr, end: Expr): Expr {
  const empty = constant(-1, 'i32');
  const written = slot.lt(end);
  if (layout.window === undefined) return written.select(slot, empty);
  const ring = layout.capacity - layout.sinks;
  const laps = end.sub(constant(1, 'i32')).sub(slot).max(constant(0, 'i32')).div(constant(ring, 'i32'));
  const latest = slot.add(laps.mul(constant(ring, 'i32')));
  const inRing = slot.ge(constant(layout.sinks, 'i32'));
  return written.select(inRing.select(latest, slot), empty);
}

/**
 * The cache after a step: `cache` `[B, H, capacity, d]` with the step's `fresh` rows
 * `[B, H, seq, d]` (positions `past .. past + seq − 1`) written into their slots; every other slot
 * is left as it was. One fused injective kernel; `seq` may be symbolic (at most
 * `capacity − sinks`, so no slot is written twice).
 *
 * @example
 * ```ts fragment
 * const next = writeToRollingCache(input('layers.0.attn.cache.key', [1, 2, 64, 16]), rotatedKeys, layout, past);
 * ```
 */
export function writeToRollingCache(cache: Node, fresh: Node, layout: RollingCacheLayout, past: Node): Node {
  checkRollingCacheLayout(layout);
  const capacity = staticDimOf(cache, 2, 'rolling kv cache');
  if (capacity !== layout.capacity) {
    throw new ShapeError('rolling kv cache: the cache must have one slot per layout slot', {
      block: 'rolling kv cache',
      dimension: 2,
      expected: layout.capacity,
      actual: capacity,
    });
  }
  const seq = dimExpr(fresh.shape[2]!);
  const slots = full(0, [capacity], 'i32');
  const pastValue = variable('$1', 'i32');
  const position = slotPositionExpr(layout, variable('i0', 'i32'), pastValue.add(seq));
  const pastOperand = reshape(past, [1]);
  // Row of `fresh` a slot takes (clamped into range where the slot keeps its old value).
  const freshRow = mapElements([slots, pastOperand], position.sub(pastValue).max(constant(0, 'i32')));
  const isFresh = mapElements([slots, pastOperand], position.ge(pastValue));
  return where(reshape(isFresh, [capacity, 1]), gather(fresh, freshRow, 2), cache);
}

/**
 * The mask of a rolling cache: query `q` of the step sits at position `past + q`; it keeps the slot
 * holding position `p` when the slot is written, `p ≤ past + q` (causal), and `p` is a sink or
 * within the window (`p > past + q − window`). Reads the captured `[batch]` i32 tensor
 * {@link PAST_TENSOR}. Its block rule skips key blocks past the last written slot.
 */
export function rollingCacheMask(layout: RollingCacheLayout): Mask {
  checkRollingCacheLayout(layout);
  const past = tensorRef(PAST_TENSOR, [1], 'i32');
  const { b, q, k, queryLength } = ATTENTION_INDICES;
  const pastTokens = past.at(b);
  const queryPosition = pastTokens.add(q);
  const position = slotPositionExpr(layout, k, pastTokens.add(queryLength));
  let keep = position.ge(constant(0, 'i32')).and(position.le(queryPosition));
  if (layout.window !== undefined) {
    const recent = position.gt(queryPosition.sub(constant(layout.window, 'i32')));
    keep = keep.and(layout.sinks > 0 ? recent.or(position.lt(constant(layout.sinks, 'i32'))) : recent);
  }
  // Slot s holds a position ≥ s, so a key block starting after the block's last query position is empty.
  const empty = BLOCK_BOUNDS.keyStart.gt(pastTokens.add(BLOCK_BOUNDS.queryEnd));
  const window = layout.window === undefined ? 'all' : `${layout.sinks} sinks + ${layout.window}`;
  return makeMask(
    `rollingCache(${layout.capacity} slots, ${window})`,
    keep,
    {
      empty,
      full: BLOCK_BOUNDS.keyStart.lt(constant(0, 'i32')),
    },
    { roles: { [PAST_TENSOR]: ['batch'] } },
  );
}
