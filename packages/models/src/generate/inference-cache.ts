import { SpecError } from '@weft/ir';
import { type HeavyHitterLayout, heavyHitterLayout } from '../blocks/heavy-hitter-kv-cache.js';
import type { CacheLayout } from '../blocks/kv-cache.js';
import { type LandmarkCacheLayout, landmarkCacheLayout } from '../blocks/landmark-kv-cache.js';
import { lteCacheLayout } from '../blocks/lte-kv-cache.js';
import { natsCacheLayout } from '../blocks/nats-kv-cache.js';
import type { RollingCacheLayout } from '../blocks/rolling-kv-cache.js';
import { type CachePolicy, checkCachePolicy, describeCachePolicy } from './cache-policy.js';

/** Options of a model's inference cache (`compileModel`'s `cache`). */
export interface InferenceCacheOptions {
  /** What happens past the capacity. Default `'error'` (keep every key, up to `maxSeq`). */
  readonly policy?: CachePolicy;
  /**
   * Most new tokens per step under a windowed policy (a longer prompt is prefilled in chunks of
   * this many). The ring holds `window + prefillChunk − 1` slots (plus the sinks), so that every
   * query of a chunk still finds its whole window. Default 16; `'error'` takes up to `maxSeq`.
   */
  readonly prefillChunk?: number;
}

/** Default {@link InferenceCacheOptions.prefillChunk} of windowed policies. */
export const DEFAULT_PREFILL_CHUNK = 16;

/**
 * A decoder's KV cache as a typed object: its policy, its layout on the device (slots per layer,
 * where each position sits), how long the sequence it holds is, and how many positions the policy
 * evicted. Keys are stored after QK norm and RoPE (rotated once, at their absolute position, when
 * written); nothing is shifted: each position has its slot (see {@link RollingCacheLayout}).
 *
 * The compiled model owns one (`model.cache`); its `length` follows the model's steps.
 *
 * @example
 * ```ts
 * const model = await compileModel(spec, { device: 'auto', cache: { policy: rollingWindow(256) } });
 * await model.generate(prompt, { maxTokens: 1000 });
 * console.log(model.cache.length, model.cache.evicted, model.cache.capacity);
 * ```
 */
export class InferenceCache {
  /** The policy. */
  readonly policy: CachePolicy;
  /**
   * Where the device cache keeps each position: ring slots ({@link RollingCacheLayout}),
   * per-KV-head compacted slots under `heavyHitter` ({@link HeavyHitterLayout}), `nats` and `lte`
   * (`NatsCacheLayout`, `LteCacheLayout`), or blocks with a landmark slot each under `landmark`
   * ({@link LandmarkCacheLayout}).
   */
  readonly layout: CacheLayout;
  /** Most new tokens per step. */
  readonly maxStepTokens: number;
  /** Most positions a sequence may reach (the capacity under `'error'`, the model's position limit otherwise). */
  readonly maxLength: number;
  #length = 0;
  /** Under `nats` and `lte`: the most positions any layer's KV head held after the last step. */
  #mostKept = 0;

  /**
   * @param maxSeq the model's `maxSeq` (the capacity under `'error'`).
   * @param positionLimit the most positions the model can encode (learned position tables end).
   * @throws SpecError for an invalid policy or chunk, or a window the position limit cannot reach.
   */
  constructor(maxSeq: number, options: InferenceCacheOptions = {}, positionLimit = maxSeq) {
    this.policy = checkCachePolicy(options.policy ?? 'error');
    const landmark = this.policy !== 'error' && this.policy.kind === 'landmark';
    const chunk =
      options.prefillChunk ?? (this.policy === 'error' ? maxSeq : landmark ? 1 : DEFAULT_PREFILL_CHUNK);
    if (landmark && chunk !== 1) {
      throw new SpecError(
        'cache: prefillChunk must be 1 under landmark (each step retrieves for one query)',
        {
          block: 'cache',
          expected: 1,
          actual: chunk,
        },
      );
    }
    if (!(Number.isSafeInteger(chunk) && chunk >= 1 && chunk <= maxSeq)) {
      throw new SpecError('cache: prefillChunk must be an integer in 1..maxSeq', {
        block: 'cache',
        expected: `an integer in 1..${maxSeq}`,
        actual: chunk,
      });
    }
    this.maxStepTokens = chunk;
    if (this.policy === 'error') {
      this.layout = { capacity: maxSeq, sinks: 0, window: undefined };
      this.maxLength = maxSeq;
      return;
    }
    if (this.policy.kind === 'landmark') {
      // Every block stays: the sequence ends at maxSeq, as under 'error'.
      this.layout = landmarkCacheLayout(
        this.policy.blockSize,
        this.policy.topK,
        maxSeq,
        this.policy.positions,
      );
      this.maxLength = maxSeq;
      return;
    }
    this.maxLength = positionLimit;
    if (this.policy.kind === 'heavyHitter') {
      this.layout = heavyHitterLayout(this.policy.heavy, this.policy.recent, chunk);
      return;
    }
    if (this.policy.kind === 'nats') {
      this.layout = natsCacheLayout(this.policy.capacity, this.policy.window, chunk);
      return;
    }
    if (this.policy.kind === 'lte') {
      const { window, budget, sinks } = this.policy;
      this.layout = lteCacheLayout({ window, budget, sinks, stepTokens: chunk });
      return;
    }
    const sinks = this.policy.kind === 'sinkPlusWindow' ? this.policy.sinks : 0;
    this.layout = { capacity: sinks + this.policy.window + chunk - 1, sinks, window: this.policy.window };
  }

  /**
   * Slots per layer (keys and values each; per KV head under `heavyHitter`, which reads
   * `maxStepTokens` more in a step; landmark slots included under `landmark`).
   */
  get capacity(): number {
    return this.layout.capacity;
  }

  /** Positions written so far (the next token's position). */
  get length(): number {
    return this.#length;
  }

  /** Positions the policy has evicted: no later query attends to them. */
  get evicted(): number {
    return this.evictedAt(this.#length);
  }

  /**
   * Positions evicted once `length` positions are written. Under `nats` and `lte` the device decides
   * how many each KV head keeps: the count is that of the KV head (of any layer) that evicted the
   * fewest, read back after the last step (see {@link recordKept}).
   */
  evictedAt(length: number): number {
    if ('kind' in this.layout && this.readsKeptCounts) return Math.max(0, length - this.#mostKept);
    // A landmark cache keeps every block (each query retrieves some); a heavy-hitter cache keeps
    // `capacity` positions per KV head (which ones, the device knows).
    if ('kind' in this.layout)
      return this.layout.kind === 'landmark' ? 0 : Math.max(0, length - this.layout.capacity);
    const { window, sinks } = this.#ringLayout('evictedAt');
    if (window === undefined) return 0;
    return Math.max(0, length - sinks - window + 1);
  }

  /** The slot position `position` is written to. */
  slotOf(position: number): number {
    const { sinks, capacity } = this.#ringLayout('slotOf');
    return position < sinks ? position : sinks + ((position - sinks) % (capacity - sinks));
  }

  /** The cached positions the next query (at position `length`) attends to, ascending. */
  keptPositions(): number[] {
    const length = this.#length;
    const { window, sinks } = this.#ringLayout('keptPositions');
    const kept: number[] = [];
    for (let position = 0; position < length; position++) {
      if (window === undefined || position < sinks || position > length - window) kept.push(position);
    }
    return kept;
  }

  /** A short description, e.g. `rollingWindow(512), 527 slots`. */
  describe(): string {
    const perHead = 'kind' in this.layout && this.layout.kind !== 'landmark' ? ' per KV head' : '';
    return `${describeCachePolicy(this.policy)}, ${this.capacity} slots${perHead}`;
  }

  /**
   * The ring layout; a per-KV-head cache's positions, and the blocks a landmark query retrieves,
   * are chosen on the device.
   */
  #ringLayout(what: string): RollingCacheLayout {
    if (!('kind' in this.layout)) return this.layout;
    throw new SpecError(`cache: ${what} is known on the device only under a score-driven policy`, {
      block: 'cache',
      expected: 'rollingWindow, sinkPlusWindow or "error"',
      actual: describeCachePolicy(this.policy),
    });
  }

  /** Records that the sequence now holds `length` positions (the model calls it after each step). */
  setLength(length: number): void {
    this.#length = length;
    if (length === 0) this.#mostKept = 0;
  }

  /** Whether the model reads the kept counts back after each step (`nats`, `lte`: learned eviction). */
  get readsKeptCounts(): boolean {
    return this.policy !== 'error' && (this.policy.kind === 'nats' || this.policy.kind === 'lte');
  }

  /**
   * Records the slot tags (position + 1, 0 when empty) of every layer's cache after a step, each
   * `[1, Hkv, capacity]`: the model calls it under `nats` and `lte` with the states it read back.
   */
  recordKept(tags: readonly ArrayLike<number>[]): void {
    const capacity = this.layout.capacity;
    let most = 0;
    for (const layer of tags)
      for (let head = 0; head < layer.length / capacity; head++) {
        let kept = 0;
        for (let slot = 0; slot < capacity; slot++) if (Number(layer[head * capacity + slot]) > 0) kept++;
        most = Math.max(most, kept);
      }
    this.#mostKept = most;
  }
}
