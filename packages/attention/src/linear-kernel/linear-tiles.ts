import { UnsupportedError } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';

/** How the linear-attention kernel splits its work. */
export interface LinearTiles {
  /** Positions per chunk of the sweep (the spec's chunk size, lowered until it fits). */
  readonly chunk: number;
  /** Value columns per workgroup (d_v is split into ⌈d_v / valueSlice⌉ workgroups per (b, h)). */
  readonly valueSlice: number;
  /** Bytes of workgroup memory. */
  readonly bytes: number;
}

/** Largest value slice (the Lightning kernel's BLOCK_MODEL): per-invocation accumulators stay small. */
export const MAX_VALUE_SLICE = 32;
/** Smallest value slice before the chunk is lowered instead. */
const MIN_VALUE_SLICE = 8;

/**
 * The chunk and value slice for d_k, d_v and a requested chunk size: workgroup memory holds the
 * state (d_k × slice), the key sums (d_k), the chunk's φ(K) (chunk × d_k) and V (chunk × slice) and
 * the decay powers (chunk + 1), and with `gated` the chunk's cumulative log-gates (chunk × d_k). The slice starts at min(d_v, 32) and halves down to 8, then the
 * chunk halves (the result does not depend on the chunk size), then the slice again, until they
 * fit the device. An `UnsupportedError` names the block when even a chunk of 1 does not fit.
 */
export function linearTiles(
  profile: DeviceProfile,
  block: string,
  headDim: number,
  valueDim: number,
  requestedChunk: number,
  gated = false,
): LinearTiles {
  const bytesFor = (chunk: number, slice: number) =>
    4 * (headDim * slice + headDim + chunk * headDim * (gated ? 2 : 1) + chunk * slice + chunk + 1);
  const limit = profile.limits.maxComputeWorkgroupStorageSize;
  let chunk = requestedChunk;
  let valueSlice = Math.min(valueDim, MAX_VALUE_SLICE);
  while (bytesFor(chunk, valueSlice) > limit) {
    if (valueSlice > MIN_VALUE_SLICE) valueSlice = Math.ceil(valueSlice / 2);
    else if (chunk > 1) chunk = Math.ceil(chunk / 2);
    else if (valueSlice > 1) valueSlice = Math.ceil(valueSlice / 2);
    else
      throw new UnsupportedError(
        `linear attention "${block}": a head dim of ${headDim} does not fit workgroup memory`,
        { block, expected: `<= ${limit} bytes`, actual: `${bytesFor(1, 1)} bytes` },
      );
  }
  return { chunk, valueSlice, bytes: bytesFor(chunk, valueSlice) };
}
