import type { DeviceProfile } from '../generated-kernel.js';
import {
  chooseSubgroupMatrix,
  type MatmulDims,
  type SubgroupMatrixPlan,
} from './subgroup-matrix-strategy.js';
import { workgroupWidth } from './template-support.js';

/** Output rows per invocation, and columns per `vec4<f32>` accumulator (the tiled variant's 4×4 block). */
export const MATMUL_BLOCK = 4;

/**
 * Output columns per invocation of the direct variant (two `vec4<f32>` per row): A's prologue and
 * row statistics, recomputed by every invocation of a block row, are shared by twice the outputs.
 */
export const DIRECT_BLOCK_COLUMNS = 8;

/** Output tile edge (rows and columns per workgroup) of the tiled variant. */
export const MATMUL_TILE = 32;

/**
 * Depth of one K step staged in workgroup memory by the tiled variant: half the barriers of a
 * step of 16, and the two 32×32 f32 tiles (8 KiB) fit the core 16 KiB limit with room for row
 * statistics.
 */
export const MATMUL_TILE_K = 32;

/**
 * Invocations per workgroup of the direct variant: on a software adapter a workgroup runs on one
 * CPU thread, so small workgroups spread a matmul of a few hundred blocks over more threads.
 */
export const MATMUL_DIRECT_WIDTH = 16;

/** How a matmul kernel spreads its work; see `chooseMatmulStrategy`. */
export type MatmulStrategy =
  | {
      /** Each invocation reads its rows of A and columns of B straight from storage. */
      readonly variant: 'direct';
      /** Invocations per workgroup. */
      readonly width: number;
    }
  | {
      /** Each workgroup stages tiles of A and B in workgroup memory. */
      readonly variant: 'tiled';
      /** K columns per staged step. */
      readonly tileK: number;
    }
  | ({
      /** Each workgroup stages tiles in workgroup memory and multiplies them with subgroup matrices. */
      readonly variant: 'subgroup-matrix';
    } & SubgroupMatrixPlan);

/**
 * How a matmul kernel spreads its work, decided from the device's facts. Both variants compute a
 * block of {@link MATMUL_BLOCK} rows per invocation into `vec4<f32>` accumulators (a loop-indexed
 * private array is spilled to memory by some compilers, SwiftShader's among them, at several
 * times the cost of the arithmetic):
 *
 * - **direct** on a software adapter (`profile.software`): no workgroup memory and no barriers —
 *   each invocation reads its four rows of A and {@link DIRECT_BLOCK_COLUMNS} columns of B
 *   straight from storage, where the CPU's caches do what a staged tile does on a GPU, and each
 *   `workgroupBarrier()` would be a coroutine switch per invocation; {@link MATMUL_DIRECT_WIDTH}
 *   invocations per workgroup;
 * - **tiled** otherwise: 64 invocations compute a {@link MATMUL_TILE}² tile (4×4 per invocation)
 *   from A and B tiles staged in workgroup memory, {@link MATMUL_TILE_K} columns of K per step
 *   (two barriers each);
 * - **subgroup-matrix** where the device has Dawn's `chromium-experimental-subgroup-matrix` and a
 *   configuration fits the precision and the sizes `dims` (`chooseSubgroupMatrix` states the
 *   rule): tiles staged in workgroup memory as above, multiplied by `subgroupMatrixMultiplyAccumulate`.
 *   Without `dims` it is never chosen.
 */
export function chooseMatmulStrategy(
  profile: DeviceProfile,
  dims?: MatmulDims,
  statisticsBytes?: (rows: number, lanes: number) => number,
): MatmulStrategy {
  const matrices = dims === undefined ? undefined : chooseSubgroupMatrix(profile, dims, statisticsBytes);
  if (matrices !== undefined) return { variant: 'subgroup-matrix', ...matrices };
  if (profile.software === true) {
    return { variant: 'direct', width: workgroupWidth(profile, MATMUL_DIRECT_WIDTH) };
  }
  return { variant: 'tiled', tileK: MATMUL_TILE_K };
}
