import { ATTENTION_INDICES, BLOCK_BOUNDS, type Mask, makeMask } from '@weft/attention';
import {
  concat,
  constant,
  dimExpr,
  full,
  mapElements,
  type Node,
  reshape,
  SpecError,
  sum,
  tensorRef,
  variable,
} from '@weft/ir';
import { appendFreshSlots, compactSlots } from './slot-compaction.js';

/**
 * The slots of a heavy-hitter KV cache (H2O's policy, see `heavyHitter` in `@weft/models`): each
 * KV head keeps its own `heavy + recent` retained entries, compacted to the front of its slots
 * (slots `0..kept − 1`, ascending positions); a step appends its keys in `maxStepTokens` fresh slots
 * after them, attends over both, adds the attention each entry received to its score, and keeps
 * the `recent` latest positions plus the `heavy` highest-scored others.
 */
export interface HeavyHitterLayout {
  /** Discriminant. */
  readonly kind: 'heavyHitter';
  /** Entries kept by accumulated attention (the heavy hitters), besides the recent ones. */
  readonly heavy: number;
  /** Latest positions always kept. */
  readonly recent: number;
  /** Retained slots per KV head, `heavy + recent`. */
  readonly capacity: number;
  /** Fresh slots of a step (its most new tokens). */
  readonly stepTokens: number;
}

/** The four persistent tensors of a heavy-hitter cache, `[B, Hkv, slots(, d)]` each. */
export interface HeavyHitterEntries {
  /** Keys, stored after QK norm and RoPE. */
  readonly keys: Node;
  /** Values. */
  readonly values: Node;
  /** Each slot's position plus one (i32); 0 marks an empty slot. */
  readonly positions: Node;
  /** Each slot's accumulated attention (f32). */
  readonly scores: Node;
}

/** Name under which the attention mask reads the retained slots' positions (`[B, Hkv, capacity]` i32). */
export const HEAVY_HITTER_POSITIONS = 'heavyHitter.positions';

/**
 * Checks the counts of a heavy-hitter layout (integers, `heavy ≥ 0`, `recent ≥ 1`,
 * `stepTokens ≥ 1`) and returns it. Throws a `SpecError` naming the field.
 *
 * @example
 * ```ts
 * const layout = heavyHitterLayout(256, 256, 16); // 512 retained slots + 16 fresh ones
 * ```
 */
export function heavyHitterLayout(heavy: number, recent: number, stepTokens: number): HeavyHitterLayout {
  for (const [key, value, least] of [
    ['heavy', heavy, 0],
    ['recent', recent, 1],
    ['stepTokens', stepTokens, 1],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= least)) {
      throw new SpecError(`heavy-hitter kv cache: ${key} must be an integer ≥ ${least}`, {
        block: 'heavy-hitter kv cache',
        expected: `an integer ≥ ${least}`,
        actual: value,
      });
    }
  }
  return { kind: 'heavyHitter', heavy, recent, capacity: heavy + recent, stepTokens };
}

/**
 * The step's candidate entries: the retained slots `[B, Hkv, capacity(, d)]` followed by
 * `stepTokens` fresh slots holding the step's `seq` rows (positions `past + i`, tagged `past + i + 1`,
 * score 0). Fresh slots past `seq` repeat the last row and are tagged empty. Static shapes: every
 * step reads `capacity + stepTokens` slots.
 */
export function heavyHitterCandidates(
  state: HeavyHitterEntries,
  fresh: { readonly keys: Node; readonly values: Node },
  layout: HeavyHitterLayout,
  past: Node,
): HeavyHitterEntries {
  const [batch, kvHeads] = state.positions.shape as [number, number];
  const appended = appendFreshSlots(state, fresh, layout.stepTokens, past);
  return {
    keys: appended.keys,
    values: appended.values,
    positions: appended.positions,
    scores: concat([state.scores, full(0, [batch, kvHeads, layout.stepTokens])], 2),
  };
}

/**
 * The mask over the candidates: a retained slot is kept when it holds a position (per KV head: its
 * tag in {@link HEAVY_HITTER_POSITIONS} is > 0; every retained position precedes the step), a fresh
 * slot `capacity + i` when `i ≤ q` (causal within the step). Every block is partial.
 */
export function heavyHitterCacheMask(layout: HeavyHitterLayout, batch: number, kvHeads: number): Mask {
  const { capacity } = layout;
  const retained = tensorRef(HEAVY_HITTER_POSITIONS, [batch, kvHeads, capacity], 'i32');
  const { b, kvHead, q, k } = ATTENTION_INDICES;
  const first = constant(capacity, 'i32');
  const tag = retained.at(b, kvHead, k.min(constant(Math.max(capacity - 1, 0), 'i32')));
  const keep = k.lt(first).select(tag.gt(constant(0, 'i32')), k.sub(first).le(q));
  const never = BLOCK_BOUNDS.keyStart.lt(constant(0, 'i32'));
  return makeMask(
    `heavyHitterCache(${layout.heavy} heavy + ${layout.recent} recent)`,
    keep,
    { empty: never, full: never },
    { roles: { [HEAVY_HITTER_POSITIONS]: ['batch', kvHeads, capacity] } },
  );
}

/**
 * Attention each candidate received in the step, summed over the step's query rows and the query
 * heads of its KV head: `probes` `[B, H, stepTokens, slots]` (the kernel's `probeRows` readout of
 * rows `0..stepTokens − 1`; rows at or past `seq` are not the step's and count 0) → `[B, Hkv, slots]`.
 */
export function receivedAttention(probes: Node, kvHeads: number, seq: Node['shape'][number]): Node {
  const [batch, heads, rows, slots] = probes.shape as [number, number, number, number];
  const stepRows = mapElements(
    [probes],
    variable('i2', 'i32').lt(dimExpr(seq)).select(variable('$0'), constant(0, 'f32')),
  );
  return sum(reshape(stepRows, [batch, kvHeads, heads / kvHeads, rows, slots]), [2, 3]);
}

/**
 * Eviction and compaction after a step, per KV head, on the device: with `length` positions
 * written, slot `s` is recent when its position is among the last `recent`; the other filled
 * slots rank by score (higher first, ties to the older position) and the first `heavy` stay. The
 * kept slots move down to slots `0..kept − 1` in their order (ascending positions); the rest is
 * emptied. Ranks and destinations are counts over the slots (no sort, no host round trip).
 */
export function evictHeavyHitters(
  candidates: HeavyHitterEntries,
  layout: HeavyHitterLayout,
  length: Node,
): HeavyHitterEntries {
  const { positions, scores } = candidates;
  const [batch, kvHeads, slots] = positions.shape as [number, number, number];
  const tag = variable('$0', 'i32');
  const filled = tag.gt(constant(0, 'i32'));
  // Position p = tag − 1 is recent when p > length − 1 − recent, i.e. tag > length − recent.
  const recentExpr = filled.and(tag.gt(variable('$1', 'i32').sub(constant(layout.recent, 'i32'))));
  const lengthOperand = reshape(length, [1, 1, 1]);
  const recent = mapElements([positions, lengthOperand], recentExpr.select(1, 0).cast('f32'));
  const eligible = mapElements(
    [positions, lengthOperand],
    filled.and(recentExpr.not()).select(1, 0).cast('f32'),
  );
  // rank_s = #{t eligible : A_t > A_s ∨ (A_t = A_s ∧ t < s)}: [B, Hkv, s, t] summed over t.
  const other = variable('$0');
  const own = variable('$1');
  const beats = mapElements(
    [
      reshape(scores, [batch, kvHeads, 1, slots]),
      reshape(scores, [batch, kvHeads, slots, 1]),
      reshape(eligible, [batch, kvHeads, 1, slots]),
    ],
    variable('$2')
      .gt(constant(0, 'f32'))
      .and(other.gt(own).or(other.eq(own).and(variable('i3', 'i32').lt(variable('i2', 'i32')))))
      .select(1, 0)
      .cast('f32'),
  );
  const rank = sum(beats, 3);
  const keep = mapElements(
    [recent, eligible, rank],
    variable('$0')
      .gt(constant(0, 'f32'))
      .or(
        variable('$1')
          .gt(constant(0, 'f32'))
          .and(variable('$2').lt(constant(layout.heavy, 'f32'))),
      )
      .select(1, 0)
      .cast('f32'),
  );
  return compactSlots(candidates, keep, layout.capacity, ['positions', 'scores']);
}
