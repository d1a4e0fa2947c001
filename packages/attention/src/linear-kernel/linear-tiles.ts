import { UnsupportedError } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';

/** How the linear-attention kernel splits its work. */
export interface LinearTiles {
  /** Value columns per workgroup (d_v is split into ⌈d_v / valueSlice⌉ workgroups per (b, h)). */
  readonly valueSlice: number;
  /** Bytes of workgroup memory. */
  readonly bytes: number;
}

/** Largest value slice (the Lightning kernel's BLOCK_MODEL): per-invocation accumulators stay small. */
export const MAX_VALUE_SLICE = 32;

/**
 * The value slice for d_k, d_v and chunk size C: the largest ≤ min(d_v, 32), halved until the
 * workgroup memory (state d_k × slice, key sums d_k, φ(K) chunk C × d_k, V chunk C × slice, decay
 * powers C + 1) fits the device.
 */
export function linearTiles(
  profile: DeviceProfile,
  block: string,
  headDim: number,
  valueDim: number,
  chunk: number,
): LinearTiles {
  const bytesFor = (slice: number) =>
    4 * (headDim * slice + headDim + chunk * headDim + chunk * slice + chunk + 1);
  let valueSlice = Math.min(valueDim, MAX_VALUE_SLICE);
  const limit = profile.limits.maxComputeWorkgroupStorageSize;
  while (valueSlice > 1 && bytesFor(valueSlice) > limit) valueSlice = Math.ceil(valueSlice / 2);
  if (bytesFor(valueSlice) > limit)
    throw new UnsupportedError(
      `linear attention "${block}": a chunk of ${chunk} keys of dim ${headDim} does not fit workgroup memory`,
      {
        block,
        expected: `<= ${limit} bytes (use a smaller chunkSize)`,
        actual: `${bytesFor(valueSlice)} bytes`,
      },
    );
  return { valueSlice, bytes: bytesFor(valueSlice) };
}
