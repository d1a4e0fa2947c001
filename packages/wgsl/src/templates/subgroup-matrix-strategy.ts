import type { Dim } from '@weft/ir';
import type { DeviceProfile, SubgroupMatrixConfig } from '../generated-kernel.js';

/** The WGSL enable directive of Dawn's subgroup matrices (docs/dawn/features/subgroup_matrix.md). */
export const SUBGROUP_MATRIX_EXTENSION = 'chromium_experimental_subgroup_matrix';

/** Preferred output tile edge and K step of a subgroup-matrix workgroup, rounded down to whole matrices. */
const PREFERRED_TILE = 32;

/** The tile a subgroup-matrix matmul workgroup computes, in elements. */
export interface SubgroupMatrixTile {
  /** Output rows per workgroup (a multiple of the config's M). */
  readonly rows: number;
  /** Output columns per workgroup (a multiple of the config's N). */
  readonly columns: number;
  /** K columns staged per step (a multiple of the config's K). */
  readonly depth: number;
}

/** A matmul computed with subgroup matrices: which configuration, the workgroup tile and width. */
export interface SubgroupMatrixPlan {
  /** The adapter configuration used. */
  readonly config: SubgroupMatrixConfig;
  /** The workgroup's output tile and K step. */
  readonly tile: SubgroupMatrixTile;
  /** Invocations per workgroup: the adapter's `subgroupMaxSize` (Dawn requires a multiple of it). */
  readonly width: number;
}

/** The matmul's sizes the choice depends on. */
export interface MatmulDims {
  /** Output rows M. */
  readonly rows: Dim;
  /** Output columns N. */
  readonly columns: Dim;
  /** The reduced dim K. */
  readonly depth: Dim;
}

/**
 * The subgroup-matrix plan of a matmul, or undefined when the tiled matmul must be used. Chosen
 * only when all of these hold:
 *
 * - the profile has `subgroupMatrix` (the device was created with
 *   `chromium-experimental-subgroup-matrix`) and `subgroups` (the kernel reads `subgroup_id` and
 *   `num_subgroups`), and is not a software adapter;
 * - the precision is `f32` (a config with `f32` components) or `f16` (a config with `f16`
 *   components, on a device with `shader-f16`); `f16-emulated` never uses them. Only configs with
 *   an `f32` result are used: products are accumulated in f32, as in every other matmul kernel;
 * - M, N and K are numbers divisible by the config's M, N and K (a symbolic or indivisible dim
 *   falls back to the tiled matmul). Edge tiles of the 32-element workgroup tile need no fallback:
 *   they are zero-padded in workgroup memory and their padding is never stored;
 * - the workgroup (`subgroupMaxSize` invocations) and its tiles fit the device's limits.
 *
 * Among the configs that fit, the first in the adapter's order is taken.
 */
export function chooseSubgroupMatrix(
  profile: DeviceProfile,
  dims: MatmulDims,
  statisticsBytes: (rows: number, lanes: number) => number = () => 0,
): SubgroupMatrixPlan | undefined {
  const support = profile.subgroupMatrix;
  if (support === undefined || !profile.subgroups || profile.software === true) return undefined;
  const precision = profile.precision ?? 'f32';
  const componentType = precision === 'f32' ? 'f32' : precision === 'f16' ? 'f16' : undefined;
  if (componentType === undefined || (componentType === 'f16' && !profile.shaderF16)) return undefined;
  const { rows, columns, depth } = dims;
  if (typeof rows !== 'number' || typeof columns !== 'number' || typeof depth !== 'number') return undefined;
  const width = support.subgroupMaxSize;
  const limits = profile.limits;
  if (
    !Number.isInteger(width) ||
    width < 1 ||
    width > limits.maxComputeInvocationsPerWorkgroup ||
    width > limits.maxComputeWorkgroupSizeX
  ) {
    return undefined;
  }
  for (const config of support.configs) {
    if (config.componentType !== componentType || config.resultComponentType !== 'f32') continue;
    if (rows % config.M !== 0 || columns % config.N !== 0 || depth % config.K !== 0) continue;
    const tile: SubgroupMatrixTile = {
      rows: wholeMatrices(config.M),
      columns: wholeMatrices(config.N),
      depth: wholeMatrices(config.K),
    };
    // The epilogue stores four columns at a time.
    if (tile.columns % 4 !== 0) continue;
    // Row statistics of a fused prologue take `width / rows` invocations per row.
    if (statisticsBytes(tile.rows, 1) > 0 && width % tile.rows !== 0) continue;
    const elementBytes = componentType === 'f16' ? 2 : 4;
    const bytes =
      (tile.rows + tile.columns) * tile.depth * elementBytes +
      tile.rows * tile.columns * 4 +
      statisticsBytes(tile.rows, Math.max(1, width / tile.rows));
    if (bytes > limits.maxComputeWorkgroupStorageSize) continue;
    return { config, tile, width };
  }
  return undefined;
}

/** The largest multiple of `edge` up to {@link PREFERRED_TILE} (`edge` itself when larger). */
function wholeMatrices(edge: number): number {
  return edge * Math.max(1, Math.floor(PREFERRED_TILE / edge));
}
