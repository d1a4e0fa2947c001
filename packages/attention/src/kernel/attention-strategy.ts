import { type Dim, maxDim } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import { splitsKeys } from './normalizer-code.js';

/**
 * How the fused attention kernel spreads its work:
 * - `tiled`: one workgroup per (batch·head, block of queries), one invocation per query row (plain
 *   softmax on a software adapter: `rowsPerInvocation` rows, so each K/V read from workgroup
 *   memory serves several queries), K/V tiles shared in workgroup memory (prefill, and every
 *   normalizer);
 * - `splitKeys` (flash decoding): one workgroup per (batch·head, query), the keys split into
 *   `splits` contiguous chunks, one per invocation, each producing a partial state (running max,
 *   sum, accumulator) that the workgroup merges exactly (log-sum-exp merge for softmax, plain sums
 *   for sigmoid, ReLU², l1 maps and identity, whose output norm runs after the merge).
 */
export type AttentionStrategy =
  | { readonly kind: 'tiled' }
  | { readonly kind: 'splitKeys'; readonly splits: number };

/** At most this many queries (the bound for symbolic lengths) count as decoding. */
export const SPLIT_MAX_QUERIES = 4;

/** Fewest keys per chunk worth an invocation: below it, splitting adds merge work for nothing. */
export const SPLIT_MIN_KEYS_PER_CHUNK = 16;

/** Most chunks per row (invocations per workgroup). */
export const SPLIT_MAX_CHUNKS = 64;

/**
 * Chooses the strategy from the op's shapes (maxima for symbolic lengths) and the device limits:
 * `splitKeys` when there are at most {@link SPLIT_MAX_QUERIES} queries, at least two chunks of
 * {@link SPLIT_MIN_KEYS_PER_CHUNK} keys, a normalizer whose def has a split-keys hook for its attrs (NAP,
 * α-entmax and LSSA with a length scale or re-weighting need row statistics first, Top-θ with
 * V-mean compensation needs more partial sums, the landmark grouped softmax needs its top-level
 * log-sum-exp first, and they stay tiled), and the partial states of every chunk fit
 * the workgroup storage; `tiled` otherwise.
 */
export function chooseAttentionStrategy(
  attrs: AttentionAttrs,
  queries: Dim,
  keys: Dim,
  profile: DeviceProfile,
): AttentionStrategy {
  if (maxDim(queries) > SPLIT_MAX_QUERIES || !splitsKeys(attrs.normalizerDef, attrs.normalizer))
    return { kind: 'tiled' };
  const limits = profile.limits;
  // Per chunk: running max, sum, row max and the value accumulator (f32 each), and w where the state has it.
  const bytesPerChunk =
    4 * (attrs.valueDim + 3 + (attrs.normalizerDef.splitKeys?.weightedSum === true ? 1 : 0));
  let splits = Math.min(
    SPLIT_MAX_CHUNKS,
    limits.maxComputeInvocationsPerWorkgroup,
    limits.maxComputeWorkgroupSizeX,
    2 ** Math.floor(Math.log2(Math.max(1, maxDim(keys) / SPLIT_MIN_KEYS_PER_CHUNK))),
  );
  while (splits > 1 && splits * bytesPerChunk > limits.maxComputeWorkgroupStorageSize) splits /= 2;
  return splits >= 2 ? { kind: 'splitKeys', splits } : { kind: 'tiled' };
}
