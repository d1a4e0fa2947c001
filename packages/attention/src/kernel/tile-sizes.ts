import { UnsupportedError } from '@weft/ir';
import type { DeviceProfile } from '@weft/wgsl';
import { QUERY_BLOCK } from '../query-block.js';

export { QUERY_BLOCK };

/** The tiling of the fused attention kernel. */
export interface AttentionTiles {
  /** Queries per workgroup (`queryBlock / rowsPerInvocation` invocations). */
  readonly queryBlock: number;
  /** Keys per tile staged in workgroup memory (at most 32: kept keys of a tile fit one u32 bitmask). */
  readonly keyBlock: number;
  /**
   * Query rows each invocation computes where the normalizer allows it (plain softmax): the
   * workgroup has `queryBlock / rowsPerInvocation` invocations.
   */
  readonly rowsPerInvocation: number;
}

/**
 * Query rows per invocation on a software adapter. On SwiftShader every read of a staged K or V
 * row is a per-lane gather; sharing it between rows (MHA H=4, d=32, kernel time, median of
 * interleaved runs, each step against the one before): 1 → 2 rows 28 → 19 ms at N=128 and
 * 307 → 212 ms at N=512, 2 → 4 rows 18 → 13 ms (N=128), 4 → 8 rows 11 → 9 ms and 179 → 137 ms;
 * 16 rows (over 64 queries) gained little more and doubled the shader's compile time. Hardware GPUs
 * keep one row per invocation (not measured here).
 */
export const SOFTWARE_ROWS_PER_INVOCATION = 8;

/** Workgroup storage the kernel needs besides the K/V tiles (the tile class word), in bytes. */
const EXTRA_WORKGROUP_BYTES = 16;

/**
 * Chooses the tiles for head dims `headDim`/`valueDim` on `profile`: the query block is
 * `QUERY_BLOCK` (32) rows (or the device's invocation limit), the key block the largest power of
 * two ≤ 32 whose K and V tiles (vec4 rows, zero-padded) fit the device's workgroup storage (16 KiB
 * by default, 32 KiB on SwiftShader). Equal blocks make the diagonal tiles the only partial ones
 * under a causal mask. A software adapter computes `SOFTWARE_ROWS_PER_INVOCATION` query rows per
 * invocation. `listedKeys` (the most keys) reserves the list of non-empty key tiles of a kernel that
 * classifies its tiles before the loop (block rules that read a table).
 */
export function attentionTiles(
  profile: DeviceProfile,
  headDim: number,
  valueDim: number,
  listedKeys?: number,
): AttentionTiles {
  const limits = profile.limits;
  const queryBlock = Math.min(
    QUERY_BLOCK,
    limits.maxComputeInvocationsPerWorkgroup,
    limits.maxComputeWorkgroupSizeX,
  );
  // K and V rows are staged as vec4s: both dims round up to a multiple of 4.
  const bytesPerKey = 16 * (Math.ceil(headDim / 4) + Math.ceil(valueDim / 4));
  // A kernel that lists its non-empty key tiles first (`listedKeys` keys at most) keeps one u32 per tile.
  const bytes = (keys: number) =>
    keys * bytesPerKey +
    EXTRA_WORKGROUP_BYTES +
    (listedKeys === undefined ? 0 : 4 * Math.ceil(listedKeys / keys));
  let keyBlock = 32;
  while (keyBlock > 1 && bytes(keyBlock) > limits.maxComputeWorkgroupStorageSize) keyBlock /= 2;
  if (bytes(keyBlock) > limits.maxComputeWorkgroupStorageSize) {
    throw new UnsupportedError(
      'attention: one key and value row exceed the workgroup storage of this device',
      {
        expected: `<= ${limits.maxComputeWorkgroupStorageSize} bytes`,
        actual: `${bytesPerKey} bytes (head dim ${headDim}, value dim ${valueDim})`,
      },
    );
  }
  const rowsPerInvocation = profile.software === true ? SOFTWARE_ROWS_PER_INVOCATION : 1;
  return { queryBlock, keyBlock, rowsPerInvocation };
}

/**
 * The lanes that read each staged K/V row together (see `stagedRowReads`), or undefined: the
 * device's subgroup size when subgroups are enabled, the adapter reports that one size only
 * (`DeviceProfile.subgroupSize`), and the workgroup (`invocations`) is exactly one subgroup, so
 * every lane a broadcast reads from exists and runs. No size is assumed.
 */
export function sharedStagedReadLanes(profile: DeviceProfile, invocations: number): number | undefined {
  const size = profile.subgroupSize;
  return profile.subgroups && size !== undefined && size === invocations ? size : undefined;
}
