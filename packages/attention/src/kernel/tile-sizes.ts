import { UnsupportedError } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';

/** The tiling of the fused attention kernel. */
export interface AttentionTiles {
  /** Queries per workgroup: one invocation per query row. */
  readonly queryBlock: number;
  /** Keys per tile staged in workgroup memory (at most 32: kept keys of a tile fit one u32 bitmask). */
  readonly keyBlock: number;
}

/** Workgroup storage the kernel needs besides the K/V tiles (the tile class word), in bytes. */
const EXTRA_WORKGROUP_BYTES = 16;

/**
 * Chooses the tiles for head dims `headDim`/`valueDim` on `profile`: the query block is 64 rows (or
 * the device's invocation limit), the key block the largest power of two ≤ 32 whose K and V tiles
 * (f32) fit the device's workgroup storage (16 KiB by default, 32 KiB on SwiftShader).
 */
export function attentionTiles(profile: DeviceProfile, headDim: number, valueDim: number): AttentionTiles {
  const limits = profile.limits;
  const queryBlock = Math.min(64, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  const bytesPerKey = 4 * (headDim + valueDim);
  let keyBlock = 32;
  while (
    keyBlock > 1 &&
    keyBlock * bytesPerKey + EXTRA_WORKGROUP_BYTES > limits.maxComputeWorkgroupStorageSize
  )
    keyBlock /= 2;
  if (keyBlock * bytesPerKey + EXTRA_WORKGROUP_BYTES > limits.maxComputeWorkgroupStorageSize) {
    throw new UnsupportedError(
      'attention: one key and value row exceed the workgroup storage of this device',
      {
        expected: `<= ${limits.maxComputeWorkgroupStorageSize} bytes`,
        actual: `${bytesPerKey} bytes (head dim ${headDim}, value dim ${valueDim})`,
      },
    );
  }
  return { queryBlock, keyBlock };
}
