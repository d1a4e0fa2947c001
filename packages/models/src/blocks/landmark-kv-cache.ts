import {
  constant,
  type Expr,
  full,
  gather,
  mapElements,
  type Node,
  reshape,
  SpecError,
  slice,
  sum,
  variable,
  where,
} from '@weft/ir';
import { staticDimOf } from './static-dim.js';

/**
 * The slots of a landmark KV cache (Landmark Attention, Mohtashami & Jaggi 2023, catalog #66; see
 * `landmark` in `@weft/models`): the sequence is cut into blocks of `blockSize` (ℓ) positions, and
 * block g takes slots `g(ℓ + 1) .. g(ℓ + 1) + ℓ`, its ℓ tokens then its landmark key. Nothing is
 * evicted: every block stays, and each query retrieves its `topK` best blocks by landmark score.
 */
export interface LandmarkCacheLayout {
  /** Discriminant. */
  readonly kind: 'landmark';
  /** ℓ, the positions per block. */
  readonly blockSize: number;
  /** Blocks retrieved per query head (fewer while fewer blocks are complete). */
  readonly topK: number;
  /** Blocks in the cache, ⌈maxSeq / ℓ⌉. */
  readonly blocks: number;
  /** Slots per layer, `blocks · (ℓ + 1)`. */
  readonly capacity: number;
  /**
   * RoPE placement: `'exact'` keys are stored rotated at their own positions; `'stingy'` keys are
   * stored before RoPE and rotated at every step at the paper's stingy positions.
   */
  readonly positions: 'stingy' | 'exact';
}

/**
 * Checks the counts of a landmark layout (integers ≥ 1) and returns it for a sequence of at most
 * `maxSeq` positions, keys placed at `positions` (default `'exact'`). Throws a `SpecError` naming
 * the field.
 *
 * @example
 * ```ts
 * const layout = landmarkCacheLayout(50, 4, 4000, 'stingy'); // 80 blocks of 51 slots
 * ```
 */
export function landmarkCacheLayout(
  blockSize: number,
  topK: number,
  maxSeq: number,
  positions: 'stingy' | 'exact' = 'exact',
): LandmarkCacheLayout {
  for (const [key, value] of [
    ['blockSize', blockSize],
    ['topK', topK],
    ['maxSeq', maxSeq],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value >= 1)) {
      throw new SpecError(`landmark kv cache: ${key} must be an integer ≥ 1`, {
        block: 'landmark kv cache',
        expected: 'an integer ≥ 1',
        actual: value,
      });
    }
  }
  if (positions !== 'stingy' && positions !== 'exact')
    throw new SpecError(`landmark kv cache: positions must be 'stingy' or 'exact'`, {
      block: 'landmark kv cache',
      expected: "'stingy' | 'exact'",
      actual: String(positions),
    });
  const blocks = Math.ceil(maxSeq / blockSize);
  return { kind: 'landmark', blockSize, topK, blocks, capacity: blocks * (blockSize + 1), positions };
}

/** The slot of position `position` (i32 Expr): `⌊p/ℓ⌋(ℓ + 1) + p mod ℓ`, the landmark slots skipped. */
export function landmarkSlotExpr(position: Expr, blockSize: number): Expr {
  const size = constant(blockSize, 'i32');
  return position
    .div(size)
    .mul(constant(blockSize + 1, 'i32'))
    .add(position.mod(size));
}

/**
 * The cache after a step at position `past` (`[1]` i32): the step's row `fresh` `[B, H, 1, d]` goes
 * to its slot, and when `past` opens a block (`past mod ℓ = 0`, `past ≥ ℓ`), the block before it,
 * complete in `cache`, gets its landmark: the mean of its ℓ rows — the stand-in landmark (the paper
 * trains a landmark token; a model without one gets the block's mean key, and its mean value,
 * which attention never mixes in). Writing a landmark when the next block opens, not when its own
 * block closes, lets one pass over the slots do both writes; no query reads it earlier (a block's
 * landmark is read by queries of later blocks only). Every other slot keeps its value.
 */
export function writeLandmarkStep(cache: Node, fresh: Node, layout: LandmarkCacheLayout, past: Node): Node {
  const capacity = checkedCapacity(cache, layout);
  const { blockSize, blocks } = layout;
  const [batch, heads, , width] = cache.shape as [number, number, number, number];
  const period = blockSize + 1;
  const size = constant(blockSize, 'i32');
  const previous = mapElements(
    [past],
    variable('$0', 'i32').div(size).sub(constant(1, 'i32')).max(constant(0, 'i32')),
  );
  const rows = gather(reshape(cache, [batch, heads, blocks, period, width]), previous, 2);
  const regular = slice(rows, [0, 0, 0, 0, 0], [batch, heads, 1, blockSize, width]);
  const mean = mapElements([sum(regular, 3)], variable('$0').mul(constant(1 / blockSize)));
  const position = variable('$1', 'i32');
  const slot = variable('i0', 'i32');
  const opens = position.mod(size).eq(constant(0, 'i32')).and(position.ge(size));
  // Block c − 1's landmark slot is (c − 1)(ℓ + 1) + ℓ = c(ℓ + 1) − 1.
  const landmarkSlot = position.div(size).mul(constant(period, 'i32')).sub(constant(1, 'i32'));
  const slots = full(0, [capacity], 'i32');
  const isFresh = mapElements([slots, past], slot.eq(landmarkSlotExpr(position, blockSize)));
  const isLandmark = mapElements([slots, past], slot.eq(landmarkSlot).and(opens));
  const everySlot = full(0, [capacity], 'i32');
  return where(
    reshape(isFresh, [capacity, 1]),
    gather(fresh, everySlot, 2),
    where(reshape(isLandmark, [capacity, 1]), gather(mean, everySlot, 2), cache),
  );
}

function checkedCapacity(cache: Node, layout: LandmarkCacheLayout): number {
  const capacity = staticDimOf(cache, 2, 'landmark kv cache');
  if (capacity !== layout.capacity) {
    throw new SpecError('landmark kv cache: the cache must have one slot per layout slot', {
      block: 'landmark kv cache',
      dimension: 2,
      expected: layout.capacity,
      actual: capacity,
    });
  }
  return capacity;
}
