import { type Mask, NEVER_EXPIRES } from '@weft/attention';
import {
  constant,
  cumsum,
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
 * The slots of an LTE KV cache (He & Garner, catalog #82): per KV head the first `sinks` tokens,
 * the window of the `window + 1` most recent tokens, and a retained buffer of at most `budget`
 * older tokens whose router logit c > 0 (keep score sigmoid(c) − 0.5 > 0). A token leaving the
 * window enters the retained buffer when kept; on overflow the lowest-score retained token goes
 * (ties: the older one). Slots are compacted in ascending positions.
 */
export interface LteCacheLayout {
  /** Discriminant. */
  readonly kind: 'lte';
  /** `w`: key j is seen by queries j ≤ i ≤ j + w whatever its score. */
  readonly window: number;
  /** Retained tokens outside the window and the sinks, per KV head. */
  readonly budget: number;
  /** The first `sinks` positions always stay. */
  readonly sinks: number;
  /** Fresh slots of a step (its most new tokens). */
  readonly stepTokens: number;
  /** Slots per KV head, `sinks + budget + window`: what the next query can see, itself aside. */
  readonly capacity: number;
}

/** The persistent tensors of an LTE cache, `[B, Hkv, capacity(, d)]` each. */
export interface LteCacheEntries {
  /** Keys, stored after QK norm and RoPE. */
  readonly keys: Node;
  /** Values. */
  readonly values: Node;
  /** Each slot's position plus one (i32); 0 marks an empty slot. */
  readonly positions: Node;
  /** Each slot's router logit c (f32). */
  readonly scores: Node;
}

/** Names under which the cache mask reads each candidate's first and last attending step row. */
export const LTE_CACHE_ROWS = { first: 'lte.firstRow', last: 'lte.lastRow' } as const;

/**
 * Checks the counts of an LTE cache layout (integers, `window ≥ 0`, `budget ≥ 1`, `sinks ≥ 0`,
 * `stepTokens ≥ 1`) and returns it. Throws a `SpecError` naming the field.
 *
 * @example
 * ```ts
 * const layout = lteCacheLayout({ window: 16, budget: 32, sinks: 4, stepTokens: 8 }); // 52 slots per KV head
 * ```
 */
export function lteCacheLayout(options: {
  readonly window: number;
  readonly budget: number;
  readonly sinks?: number;
  readonly stepTokens: number;
}): LteCacheLayout {
  const { window, budget, sinks = 4, stepTokens } = options;
  for (const [key, value, least] of [
    ['window', window, 0],
    ['budget', budget, 1],
    ['sinks', sinks, 0],
    ['stepTokens', stepTokens, 1],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= least && value < NEVER_EXPIRES / 4)) {
      throw new SpecError(`lte kv cache: ${key} must be an integer ≥ ${least}`, {
        block: 'lte kv cache',
        expected: `an integer ≥ ${least}`,
        actual: value,
      });
    }
  }
  return { kind: 'lte', window, budget, sinks, stepTokens, capacity: sinks + budget + window };
}

/** The step's candidates: the retained slots then the fresh ones, with the step's logits `[B, Hkv, seq]`. */
export function lteCandidates(
  state: LteCacheEntries,
  fresh: { readonly keys: Node; readonly values: Node; readonly logits: Node },
  layout: LteCacheLayout,
  past: Node,
): LteCacheEntries {
  const appended = appendFreshSlots(state, fresh, layout.stepTokens, past, {
    scores: { retained: state.scores, fresh: fresh.logits },
  });
  return {
    keys: appended.keys,
    values: appended.values,
    positions: appended.positions,
    scores: appended.perToken.scores!,
  };
}

/**
 * Each candidate's last attending query position (i32 `[B, Hkv, slots]`), in closed form of the
 * sequential rule: a sink lives for ever, an unkept token (c ≤ 0) until j + w; a kept token j
 * stays until the `budget`-th token scoring above it (ties: the newer one) has left the window,
 * so its last query is max(j, t_budget) + w, ∞ while fewer than `budget` score above it. Slots lie
 * in ascending positions (empty ones between), so the t_budget of a row is a cumulative count
 * over `[B, Hkv, slots, slots]`; −1 for an empty slot.
 */
export function lteCandidateLifetimes(candidates: LteCacheEntries, layout: LteCacheLayout): Node {
  const { positions, scores } = candidates;
  const [batch, kvHeads, slots] = positions.shape as [number, number, number];
  const never = constant(NEVER_EXPIRES, 'i32');
  const zero = constant(0, 'i32');
  const sinks = constant(layout.sinks + 1, 'i32');
  // A tag (position + 1) and logit of a token that may enter the retained buffer.
  const eligible = (tag: Expr, logit: Expr) => tag.ge(sinks).and(logit.gt(constant(0, 'f32')));
  // Operand order: other tag, other logit, own tag, own logit.
  const [otherTag, otherLogit, ownTag, ownLogit] = [
    variable('$0', 'i32'),
    variable('$1', 'f32'),
    variable('$2', 'i32'),
    variable('$3', 'f32'),
  ];
  const above = mapElements(
    [
      reshape(positions, [batch, kvHeads, 1, slots]),
      reshape(scores, [batch, kvHeads, 1, slots]),
      reshape(positions, [batch, kvHeads, slots, 1]),
      reshape(scores, [batch, kvHeads, slots, 1]),
    ],
    eligible(otherTag, otherLogit)
      .and(otherLogit.gt(ownLogit).or(otherLogit.eq(ownLogit).and(otherTag.gt(ownTag))))
      .select(1, 0)
      .cast('f32'),
  );
  const rank = cumsum(above, 3);
  const budgetFull = mapElements(
    [above, rank, reshape(positions, [batch, kvHeads, 1, slots])],
    variable('$0', 'f32')
      .gt(constant(0, 'f32'))
      .and(variable('$1', 'f32').ge(constant(layout.budget, 'f32')))
      .select(variable('$2', 'i32').sub(constant(1, 'i32')), never),
  );
  const evictor = min(budgetFull, [3]);
  const tag = variable('$0', 'i32');
  const position = tag.sub(constant(1, 'i32'));
  const window = constant(layout.window, 'i32');
  const [logit, blocker] = [variable('$1', 'f32'), variable('$2', 'i32')];
  return mapElements(
    [positions, scores, evictor],
    tag
      .gt(zero)
      .select(
        tag
          .lt(sinks)
          .select(
            never,
            eligible(tag, logit).select(
              blocker.eq(never).select(never, position.max(blocker).add(window)),
              position.add(window),
            ),
          ),
        constant(-1, 'i32'),
      ),
  );
}

/**
 * The rows of the step that attend to each candidate: `first` = position − past, `last` =
 * lifetime − past (i32 `[B, Hkv, slots]`), read by {@link lteCacheMask}.
 */
export function lteCandidateRows(candidates: LteCacheEntries, lifetimes: Node, past: Node) {
  const offset = reshape(past, [1, 1, 1]);
  const first = mapElements(
    [candidates.positions, offset],
    variable('$0', 'i32').sub(constant(1, 'i32')).sub(variable('$1', 'i32')),
  );
  const last = mapElements([lifetimes, offset], variable('$0', 'i32').sub(variable('$1', 'i32')));
  return { first, last };
}

/** The mask over the candidates: step row q keeps slot k when `first[k] ≤ q ≤ last[k]` (per KV head). */
export function lteCacheMask(layout: LteCacheLayout, batch: number, kvHeads: number): Mask {
  const description = `lteCache(w ${layout.window}, budget ${layout.budget}, sinks ${layout.sinks})`;
  return slotLifetimeMask(description, LTE_CACHE_ROWS, layout.capacity + layout.stepTokens, batch, kvHeads);
}

/**
 * Eviction and compaction after a step, per KV head, on the device: with `length` positions
 * written, a candidate stays when its lifetime reaches the next query (lifetime ≥ length).
 */
export function evictLteKeys(
  candidates: LteCacheEntries,
  lifetimes: Node,
  layout: LteCacheLayout,
  length: Node,
): LteCacheEntries {
  return evictExpiredSlots(candidates, lifetimes, layout.capacity, length, ['positions', 'scores']);
}
