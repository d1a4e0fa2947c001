import { SpecError } from '@weft/ir';

/**
 * What a KV cache does when a generation outgrows it:
 * - `'error'`: keep every key and never evict; a generation ends at the cache's capacity
 *   (`stopReason: 'maxSeq'`) and a longer step is refused with an `InputError`;
 * - {@link RollingWindowPolicy}: keep the last `window` positions (sliding-window attention);
 * - {@link SinkPlusWindowPolicy}: keep the first `sinks` positions for ever plus the last `window`
 *   (attention sinks: the visibility rule `j ≤ i ∧ (i − j < window ∨ j < sinks)` of the catalog's
 *   learnable token eviction, #82, without its learned keep set);
 * - {@link HeavyHitterPolicy}: keep the last `recent` positions plus the `heavy` others that have
 *   received the most attention so far, per KV head (H2O's score-driven eviction);
 * - {@link NatsPolicy}: NAtS token types from each layer's learned projection, per KV head;
 * - {@link LtePolicy}: LTE's learned router keeps tokens beyond a window, within a budget;
 * - {@link LandmarkPolicy}: keep every position in blocks with a landmark key each, and let each
 *   query attend to its current block plus the `topK` blocks of best landmark score (Landmark
 *   Attention's retrieval; nothing is evicted, a generation ends at `maxSeq`).
 */
export type CachePolicy =
  | 'error'
  | RollingWindowPolicy
  | SinkPlusWindowPolicy
  | HeavyHitterPolicy
  | NatsPolicy
  | LtePolicy
  | LandmarkPolicy;

/** Keep the last `window` positions: the query at position p attends to keys p − window < k ≤ p. */
export interface RollingWindowPolicy {
  /** Discriminant. */
  readonly kind: 'rollingWindow';
  /** Positions attended to, the query's own included. */
  readonly window: number;
}

/**
 * Keep the first `sinks` positions and the last `window`: the query at position p attends to keys
 * k ≤ p with k < sinks or k > p − window. Positions stay the tokens' original ones (keys are stored
 * rotated and never re-encoded), not positions counted within the cache.
 */
export interface SinkPlusWindowPolicy {
  /** Discriminant. */
  readonly kind: 'sinkPlusWindow';
  /** Leading positions kept for ever. */
  readonly sinks: number;
  /** Recent positions attended to, the query's own included. */
  readonly window: number;
}

/**
 * Heavy-hitter eviction (H2O, Zhang et al. 2023, "Heavy-Hitter Oracle"; not a catalog paper: the
 * catalog's score-driven policies (#119, #77, #29, #31) are not specified to the formula, and #11,
 * #82 score keys by learned weights, not by attention). Each KV head keeps its own set: every
 * query's attention probability on a cached key is added to the key's score (summed over the query
 * heads that share the KV head, and over a step's rows); after each step, each KV head keeps its
 * `recent` latest positions and the `heavy` other positions of highest score (ties to the older),
 * and evicts the rest for ever.
 */
export interface HeavyHitterPolicy {
  /** Discriminant. */
  readonly kind: 'heavyHitter';
  /** Positions kept by accumulated attention, besides the recent ones. */
  readonly heavy: number;
  /** Latest positions always kept. */
  readonly recent: number;
}

/**
 * Neural Attention Search's eviction (Deng & Lindauer 2025, catalog #11): each layer's projection
 * `wType` types every token per KV head (argmax of W_type x: Global, Local, SlidingWindow); a
 * Global key stays, a Local key until the next Global token, a SlidingWindow key for `window` more
 * queries. Each KV head keeps the keys a later query can still see, in `capacity` slots (Global
 * keys never expire: past the capacity the newest live keys are dropped, a departure from the
 * paper, which has no cap).
 */
export interface NatsPolicy {
  /** Discriminant. */
  readonly kind: 'nats';
  /** Slots per KV head. */
  readonly capacity: number;
  /** `w`: a SlidingWindow key j is seen by queries j ≤ i ≤ j + w. */
  readonly window: number;
}

/**
 * Learnable token eviction (He & Garner, catalog #82): each layer's router (three grouped
 * convolutions over concat(k, v) per KV head, then a projection to one logit c) keeps a token for
 * ever when c > 0; every token is seen by the `window` queries after it, the first `sinks` always;
 * at most `budget` kept tokens stay beyond the window per KV head, the lowest-scored leaving first.
 */
export interface LtePolicy {
  /** Discriminant. */
  readonly kind: 'lte';
  /** `w`: key j is seen by queries j ≤ i ≤ j + w whatever its score (≥ 3: the router reads 3 tokens ahead). */
  readonly window: number;
  /** Kept tokens beyond the window and the sinks, per KV head. */
  readonly budget: number;
  /** Leading positions kept for ever. */
  readonly sinks: number;
}

/**
 * A NAtS cache policy: `capacity` slots per KV head, SlidingWindow tokens seen for `window` more
 * queries (the NAtS kernel's default 4). The model's layers read their type projections
 * `layers.{i}.attn.nats.wType` `[dModel, 3·kvHeads]`.
 *
 * @throws SpecError when `capacity` is not a positive integer or `window` a non-negative one.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: nats(512, 4) } });
 * const { evictedTokens, cachePolicy } = await model.generate([1, 2, 3], { maxTokens: 2000 });
 * ```
 */
export function nats(capacity: number, window = 4): NatsPolicy {
  checkCount('nats', 'capacity', capacity, 1);
  checkCount('nats', 'window', window, 0);
  return { kind: 'nats', capacity, window };
}

/**
 * An LTE cache policy: `sinks + budget + window` slots per KV head. The model's layers read their
 * router weights `layers.{i}.attn.lte.conv1|conv2|conv3|projection.weight|bias` (see
 * `lteRouterParameters`; the head dim must be a multiple of 4).
 *
 * @throws SpecError when `window` is not an integer ≥ 3, `budget` a positive one or `sinks` a
 * non-negative one.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: lte(512, 512, 4) } });
 * ```
 */
export function lte(window: number, budget: number, sinks = 4): LtePolicy {
  checkCount('lte', 'window', window, 3);
  checkCount('lte', 'budget', budget, 1);
  checkCount('lte', 'sinks', sinks, 0);
  return { kind: 'lte', window, budget, sinks };
}

/**
 * A heavy-hitter cache policy: `heavy + recent` cached positions per KV head.
 *
 * @throws SpecError when `heavy` or `recent` is not a positive integer.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: heavyHitter(256, 256) } });
 * const { evictedTokens, cachePolicy } = await model.generate([1, 2, 3], { maxTokens: 2000 });
 * ```
 */
export function heavyHitter(heavy: number, recent: number): HeavyHitterPolicy {
  checkCount('heavyHitter', 'heavy', heavy, 1);
  checkCount('heavyHitter', 'recent', recent, 1);
  return { kind: 'heavyHitter', heavy, recent };
}

/**
 * Landmark retrieval (Landmark Attention, Mohtashami & Jaggi 2023, catalog #66, inference form):
 * the cache is cut into blocks of `blockSize` positions, each with a landmark key; at every step each
 * query head scores the landmarks of the complete previous blocks, retrieves the `topK` best, and
 * attends over them and its own block with the paper's grouped softmax (a softmax over the
 * retrieved landmarks and the current block's tokens, times the softmax within each retrieved
 * block). Nothing is evicted: the cache holds every block (`maxSeq` positions, a generation ends
 * there), a step reads the landmarks and `topK + 1` blocks.
 *
 * Positions (`positions`, under RoPE): `'stingy'` (default, the paper's and its reference code's
 * inference default) stores keys before RoPE and rotates them at every step: the current block at
 * its own positions, the retrieved blocks, in block order, in a segment of `topK + 1` blocks just
 * before it (the latest retrieved blocks keep their own places), older blocks' landmarks scored at
 * the segment's first landmark position; `'exact'` (the paper's Appendix E) stores keys rotated
 * once at their own positions.
 *
 * A stand-in, named: the landmark key of a block is the mean of its keys (the paper inserts a
 * trained landmark token after each block; a model trained without one has none); under
 * `'stingy'` it is the mean of the unrotated keys, placed right after its block's last token.
 * Steps take one token (`prefillChunk` 1): a prompt is fed token by token, each with retrieval.
 */
export interface LandmarkPolicy {
  /** Discriminant. */
  readonly kind: 'landmark';
  /** ℓ, the positions per block (the paper's LM runs use 50). */
  readonly blockSize: number;
  /** Blocks retrieved per query head and step (the paper uses 2 to 4). */
  readonly topK: number;
  /** Where retrieved keys sit for RoPE: `'stingy'` (the paper's default) or `'exact'`. */
  readonly positions: LandmarkPositions;
}

/** RoPE placement of a landmark cache's keys (see {@link LandmarkPolicy}). */
export type LandmarkPositions = 'stingy' | 'exact';

/** Options of {@link landmark}. */
export interface LandmarkOptions {
  /** RoPE placement of retrieved blocks: `'stingy'` (default) or `'exact'`. */
  readonly positions?: LandmarkPositions;
}

/**
 * A landmark-retrieval cache policy: blocks of `blockSize` positions, `topK` retrieved per query head,
 * keys placed at the paper's `'stingy'` positions unless `options.positions` is `'exact'`.
 *
 * @throws SpecError when `blockSize` or `topK` is not a positive integer, or `positions` is neither
 * `'stingy'` nor `'exact'`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: landmark(50, 4), prefillChunk: 1 } });
 * const { cachePolicy } = await model.generate([1, 2, 3], { maxTokens: 200 });
 * ```
 */
export function landmark(blockSize: number, topK: number, options: LandmarkOptions = {}): LandmarkPolicy {
  checkCount('landmark', 'blockSize', blockSize, 1);
  checkCount('landmark', 'topK', topK, 1);
  const positions = options?.positions ?? 'stingy';
  if (positions !== 'stingy' && positions !== 'exact')
    throw new SpecError(`landmark: positions must be 'stingy' or 'exact'`, {
      block: 'landmark',
      expected: "'stingy' | 'exact'",
      actual: String(positions),
    });
  return { kind: 'landmark', blockSize, topK, positions };
}

/**
 * A rolling-window cache policy.
 *
 * @throws SpecError when `window` is not a positive integer.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: rollingWindow(512) } });
 * ```
 */
export function rollingWindow(window: number): RollingWindowPolicy {
  checkCount('rollingWindow', 'window', window, 1);
  return { kind: 'rollingWindow', window };
}

/**
 * A sinks-plus-window cache policy.
 *
 * @throws SpecError when `sinks` or `window` is not a positive integer.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: sinkPlusWindow(4, 508) } });
 * ```
 */
export function sinkPlusWindow(sinks: number, window: number): SinkPlusWindowPolicy {
  checkCount('sinkPlusWindow', 'sinks', sinks, 1);
  checkCount('sinkPlusWindow', 'window', window, 1);
  return { kind: 'sinkPlusWindow', sinks, window };
}

/**
 * A short description of a policy, e.g. `rollingWindow(512)`.
 *
 * @example
 * ```ts
 * describeCachePolicy(sinkPlusWindow(4, 508)); // 'sinkPlusWindow(4, 508)'
 * ```
 */
export function describeCachePolicy(policy: CachePolicy): string {
  if (policy === 'error') return 'error';
  if (policy.kind === 'heavyHitter') return `heavyHitter(${policy.heavy}, ${policy.recent})`;
  if (policy.kind === 'nats') return `nats(${policy.capacity}, ${policy.window})`;
  if (policy.kind === 'lte') return `lte(${policy.window}, ${policy.budget}, ${policy.sinks})`;
  if (policy.kind === 'landmark')
    return `landmark(${policy.blockSize}, ${policy.topK}${policy.positions === 'exact' ? ', exact positions' : ''})`;
  return policy.kind === 'rollingWindow'
    ? `rollingWindow(${policy.window})`
    : `sinkPlusWindow(${policy.sinks}, ${policy.window})`;
}

/** Checks a policy value (it may come from untyped code); returns it. */
export function checkCachePolicy(policy: unknown): CachePolicy {
  if (policy === 'error') return policy;
  const value = policy as {
    kind?: unknown;
    sinks?: unknown;
    window?: unknown;
    heavy?: unknown;
    recent?: unknown;
    capacity?: unknown;
    budget?: unknown;
    blockSize?: unknown;
    topK?: unknown;
    positions?: unknown;
  } | null;
  if (value?.kind === 'landmark')
    return landmark(value.blockSize as number, value.topK as number, {
      positions: (value.positions ?? 'stingy') as LandmarkPositions,
    });
  if (value?.kind === 'nats') return nats(value.capacity as number, (value.window ?? 4) as number);
  if (value?.kind === 'lte')
    return lte(value.window as number, value.budget as number, (value.sinks ?? 4) as number);
  if (value?.kind === 'heavyHitter') return heavyHitter(value.heavy as number, value.recent as number);
  if (value?.kind === 'rollingWindow') return rollingWindow(value.window as number);
  if (value?.kind === 'sinkPlusWindow') return sinkPlusWindow(value.sinks as number, value.window as number);
  throw new SpecError(
    'cache: policy must be "error", rollingWindow(window), sinkPlusWindow(sinks, window), heavyHitter(heavy, recent), nats(capacity, window), lte(window, budget, sinks) or landmark(blockSize, topK)',
    {
      block: 'cache',
      expected: '"error" | rollingWindow | sinkPlusWindow | heavyHitter | nats | lte | landmark',
      actual: typeof policy === 'string' ? policy : JSON.stringify(policy),
    },
  );
}

function checkCount(block: string, key: string, value: number, least: number): void {
  if (!(Number.isSafeInteger(value) && value >= least)) {
    throw new SpecError(`${block}: ${key} must be an integer ≥ ${least}`, {
      block,
      expected: `an integer ≥ ${least}`,
      actual: value,
    });
  }
}
