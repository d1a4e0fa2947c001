import type { Kernel } from '@weft/ir';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { generateReduction } from './reduction-kernel.js';
import { chooseRowStrategy } from './row-strategy.js';

/**
 * Row reductions: the kernel's reductions (same axes, usually the trailing ones) run in order over
 * each row, then the per-element outputs — softmax, every norm — are written. The row length may
 * be symbolic. `chooseRowStrategy` picks the variant from the row length and the device:
 * one workgroup per row with the columns split across invocations and combined by a tree in
 * workgroup memory (or by subgroup operations of any subgroup size when `profile.subgroups`,
 * unless `options.subgroupReductions` is `false`), or one invocation per row with no
 * barriers (short rows, software adapters).
 */
export function generateRow(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  return generateReduction(kernel, profile, options, 'row', chooseRowStrategy(kernel, profile, options));
}
