import { type Mask, NATS_TYPES, NEVER_EXPIRES } from '@weft/attention';
import {
  argmax,
  constant,
  dimExpr,
  type Expr,
  mapElements,
  min,
  type Node,
  reshape,
  SpecError,
  variable,
} from '@weft/ir';
import { appendFreshSlots } from './slot-compaction.js';
import { evictExpiredSlots, slotLifetimeMask } from './slot-lifetimes.js';

/**
 * The slots of a NAtS KV cache (Deng & Lindauer 2025, catalog #11): each KV head keeps the keys a
 * later query can still attend to, compacted to the front of its `capacity` slots (ascending
 * positions). A step appends its keys in `stepTokens` fresh slots, attends over both under the
 * NAtS rule, then evicts every key no later query sees: a Local key once a later Global token has
 * been attended by its own query, a SlidingWindow key older than `window`. Global keys stay.
 */
export interface NatsCacheLayout {
  /** Discriminant. */
  readonly kind: 'nats';
  /** Retained slots per KV head (the live keys must fit: Global keys are never evicted). */
  readonly capacity: number;
  /** `w`: a SlidingWindow key j is seen by queries j ≤ i ≤ j + w. */
  readonly window: number;
  /** Fresh slots of a step (its most new tokens). */
  readonly stepTokens: number;
}

/** The persistent tensors of a NAtS cache, `[B, Hkv, slots(, d)]` each. */
export interface NatsCacheEntries {
  /** Keys, stored after QK norm and RoPE. */
  readonly keys: Node;
  /** Values. */
  readonly values: Node;
  /** Each slot's position plus one (i32); 0 marks an empty slot. */
  readonly positions: Node;
  /** Each slot's token type (i32, `NATS_TYPES`). */
  readonly types: Node;
}

/** Names under which the cache mask reads each candidate's first and last attending step row. */
export const NATS_CACHE_ROWS = { first: 'nats.firstRow', last: 'nats.lastRow' } as const;

/**
 * Checks the counts of a NAtS cache layout (integers, `capacity ≥ 1`, `window ≥ 0`,
 * `stepTokens ≥ 1`) and returns it. Throws a `SpecError` naming the field.
 *
 * @example
 * ```ts
 * const layout = natsCacheLayout(64, 4, 16); // 64 live keys per KV head, w 4, steps of up to 16 tokens
 * ```
 */
export function natsCacheLayout(capacity: number, window: number, stepTokens: number): NatsCacheLayout {
  for (const [key, value, least] of [
    ['capacity', capacity, 1],
    ['window', window, 0],
    ['stepTokens', stepTokens, 1],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= least)) {
      throw new SpecError(`nats kv cache: ${key} must be an integer ≥ ${least}`, {
        block: 'nats kv cache',
        expected: `an integer ≥ ${least}`,
        actual: value,
      });
    }
  }
  return { kind: 'nats', capacity, window, stepTokens };
}

/**
 * The step's candidates: the retained slots then the fresh ones, the fresh types the argmax of
 * `typeLogits` `[B, Hkv, seq, 3]` (W_type x of the step's tokens; a token's type is its own, so
 * decoding knows it when the token arrives).
 */
export function natsCandidates(
  state: NatsCacheEntries,
  fresh: { readonly keys: Node; readonly values: Node; readonly typeLogits: Node },
  layout: NatsCacheLayout,
  past: Node,
): NatsCacheEntries {
  const appended = appendFreshSlots(state, fresh, layout.stepTokens, past, {
    types: { retained: state.types, fresh: argmax(fresh.typeLogits, -1) },
  });
  return {
    keys: appended.keys,
    values: appended.values,
    positions: appended.positions,
    types: appended.perToken.types!,
  };
}

/**
 * Each candidate's last attending query position (i32 `[B, Hkv, slots]`): ∞ for Global, its next
 * Global candidate's position for Local (∞ while none; no Global lies between a retained Local
 * key and the step, or it would have been evicted), position + w for SlidingWindow; −1 for an
 * empty slot. The next Global is a min over the slots (`[B, Hkv, slots, slots]`).
 */
export function natsCandidateLifetimes(candidates: NatsCacheEntries, window: number): Node {
  const { positions, types } = candidates;
  const [batch, kvHeads, slots] = positions.shape as [number, number, number];
  const never = constant(NEVER_EXPIRES, 'i32');
  const isType = (type: Expr, name: keyof typeof NATS_TYPES) => type.eq(constant(NATS_TYPES[name], 'i32'));
  // Operand order: other tag, other type, own tag.
  const laterGlobal = mapElements(
    [
      reshape(positions, [batch, kvHeads, 1, slots]),
      reshape(types, [batch, kvHeads, 1, slots]),
      reshape(positions, [batch, kvHeads, slots, 1]),
    ],
    variable('$0', 'i32')
      .gt(variable('$2', 'i32'))
      .and(isType(variable('$1', 'i32'), 'global'))
      .select(variable('$0', 'i32').sub(constant(1, 'i32')), never),
  );
  const nextGlobal = min(laterGlobal, [3]);
  const tag = variable('$0', 'i32');
  const type = variable('$1', 'i32');
  return mapElements(
    [positions, types, nextGlobal],
    tag
      .gt(constant(0, 'i32'))
      .select(
        isType(type, 'global').select(
          never,
          isType(type, 'local').select(
            variable('$2', 'i32'),
            tag.sub(constant(1, 'i32')).add(constant(window, 'i32')),
          ),
        ),
        constant(-1, 'i32'),
      ),
  );
}

/**
 * The rows of the step that attend to each candidate: `first` = position − past, `last` =
 * lifetime − past (i32 `[B, Hkv, slots]`), read by {@link natsCacheMask}.
 */
export function natsCandidateRows(candidates: NatsCacheEntries, lifetimes: Node, past: Node) {
  const offset = reshape(past, [1, 1, 1]);
  const first = mapElements(
    [candidates.positions, offset],
    variable('$0', 'i32').sub(constant(1, 'i32')).sub(variable('$1', 'i32')),
  );
  // Lifetimes of ∞ stay far beyond any row; an empty slot's −1 − past stays below row 0.
  const last = mapElements([lifetimes, offset], variable('$0', 'i32').sub(variable('$1', 'i32')));
  return { first, last };
}

/**
 * The mask over the candidates: step row q keeps slot k when its tag is set and
 * `first[k] ≤ q ≤ last[k]` (per KV head). Every block is partial.
 */
export function natsCacheMask(layout: NatsCacheLayout, batch: number, kvHeads: number): Mask {
  const description = `natsCache(${layout.capacity} slots, w ${layout.window})`;
  return slotLifetimeMask(description, NATS_CACHE_ROWS, layout.capacity + layout.stepTokens, batch, kvHeads);
}

/**
 * Eviction and compaction after a step, per KV head, on the device: with `length` positions
 * written, a candidate stays when its lifetime reaches the next query (lifetime ≥ length); the
 * survivors move to slots `0..kept − 1` in order. More live keys than `capacity` drop the newest.
 */
export function evictExpiredKeys(
  candidates: NatsCacheEntries,
  lifetimes: Node,
  layout: NatsCacheLayout,
  length: Node,
): NatsCacheEntries {
  return evictExpiredSlots(candidates, lifetimes, layout.capacity, length, ['positions', 'types']);
}

/** Positions written after a step: `past + seq` (i32 `[1]`). */
export function lengthAfterStep(past: Node, seq: Node['shape'][number]): Node {
  return mapElements([past], variable('$0', 'i32').add(dimExpr(seq)));
}
