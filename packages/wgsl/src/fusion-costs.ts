import {
  type FusionCostModel,
  type FusionCostOverrides,
  HARDWARE_FUSION_COSTS,
  SOFTWARE_FUSION_COSTS,
  withFusionCosts,
} from '@weft/ir';
import type { DeviceProfile } from './generated-kernel.js';
import {
  chooseMatmulStrategy,
  DIRECT_BLOCK_COLUMNS,
  MATMUL_BLOCK,
  MATMUL_TILE,
} from './templates/matmul-strategy.js';

/**
 * The fusion planner's cost model for a device (pass it to `runPipeline` as `fusionCosts`): the
 * speeds of `@weft/ir`'s default table for a software or hardware adapter, `overrides` (values
 * measured on the device) applied, and the operand reuse of the matmul strategy this package
 * chooses for the profile, so that the planner prices prologues as the kernels will run them.
 */
export function fusionCostModelOf(
  profile: DeviceProfile,
  overrides: FusionCostOverrides = {},
): FusionCostModel {
  const strategy = chooseMatmulStrategy(profile);
  const base = profile.software === true ? SOFTWARE_FUSION_COSTS : HARDWARE_FUSION_COSTS;
  const matmul =
    strategy.variant === 'direct'
      ? {
          rowsPerEvaluation: MATMUL_BLOCK,
          columnsPerEvaluation: DIRECT_BLOCK_COLUMNS,
          statisticColumns: strategy.width * DIRECT_BLOCK_COLUMNS,
        }
      : { rowsPerEvaluation: MATMUL_TILE, columnsPerEvaluation: MATMUL_TILE, statisticColumns: MATMUL_TILE };
  return withFusionCosts(withFusionCosts(base, { matmul }), overrides);
}
