import {
  ATTENTION_INDICES,
  applyAttention,
  BLOCK_BOUNDS,
  type HoistedAttention,
  type Mask,
  makeMask,
} from '@weft/attention';
import { constant, mapElements, type Node, reshape, tensorRef, variable } from '@weft/ir';
import { PAST_TENSOR } from './kv-cache.js';
import { compactSlots } from './slot-compaction.js';

/** The names of the two per-slot row tensors a lifetime cache's mask reads. */
export interface SlotRowNames {
  readonly first: string;
  readonly last: string;
}

/**
 * The mask of a cache whose slots each live over a range of step rows (NAtS, LTE): step row q keeps
 * slot k when `first[k] ≤ q ≤ last[k]` (per KV head), over `capacity + stepTokens` candidate slots.
 * Every block is partial.
 */
export function slotLifetimeMask(
  description: string,
  rows: SlotRowNames,
  slots: number,
  batch: number,
  kvHeads: number,
): Mask {
  const first = tensorRef(rows.first, [batch, kvHeads, slots], 'i32');
  const last = tensorRef(rows.last, [batch, kvHeads, slots], 'i32');
  const { b, kvHead, q, k } = ATTENTION_INDICES;
  const never = BLOCK_BOUNDS.keyStart.lt(constant(0, 'i32'));
  return makeMask(
    description,
    first
      .at(b, kvHead, k)
      .le(q)
      .and(q.le(last.at(b, kvHead, k))),
    { empty: never, full: never },
    {
      roles: {
        [rows.first]: ['batch', kvHeads, slots],
        [rows.last]: ['batch', kvHeads, slots],
      },
    },
  );
}

/**
 * Eviction and compaction after a step, per KV head, on the device: with `length` positions
 * written, a candidate stays when its lifetime reaches the next query (lifetime ≥ length); the
 * survivors move to slots `0..kept − 1` in order (see `compactSlots`; `zeroed` fields read 0 in
 * empty slots).
 */
export function evictExpiredSlots<T extends { readonly [name in keyof T]: Node }>(
  candidates: T,
  lifetimes: Node,
  capacity: number,
  length: Node,
  zeroed: readonly (keyof T)[],
): T {
  const keep = mapElements(
    [lifetimes, reshape(length, [1, 1, 1])],
    variable('$0', 'i32').ge(variable('$1', 'i32')).select(1, 0).cast('f32'),
  );
  return compactSlots({ ...candidates }, keep, capacity, zeroed);
}

/**
 * The attention of a step's hoisted queries over a lifetime cache's candidate keys and values,
 * its mask reading each candidate's `first`/`last` step rows: `past` served RoPE when the QK
 * transforms were hoisted, so it is not passed to the kernel.
 */
export function attendOverSlotRows(
  hoisted: HoistedAttention,
  candidates: { readonly keys: Node; readonly values: Node },
  rows: { readonly first: Node; readonly last: Node },
  names: SlotRowNames,
): Node {
  const tensors = Object.fromEntries(
    Object.entries(hoisted.inputs.tensors ?? {}).filter(([name]) => name !== PAST_TENSOR),
  );
  return applyAttention(
    hoisted.spec,
    {
      ...hoisted.inputs,
      key: candidates.keys,
      value: candidates.values,
      tensors: { ...tensors, [names.first]: rows.first, [names.last]: rows.last },
    },
    { qkTransforms: 'inKernel' },
  ).output;
}
