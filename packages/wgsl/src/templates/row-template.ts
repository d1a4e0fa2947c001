import type { Kernel } from '@weft/ir';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { generateReduction } from './reduction-kernel.js';

/**
 * One workgroup per row: the kernel's reductions (same axes, usually the trailing ones) run in
 * order over the row with the columns split across invocations and combined by a tree in
 * workgroup memory (or by subgroup operations), then the per-element outputs — softmax, every
 * norm — are written. The row length may be symbolic. Subgroup combining (any subgroup size) is
 * used when `options.subgroupReductions` and `profile.subgroups`.
 */
export function generateRow(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const subgroups = profile.subgroups && options.subgroupReductions === true;
  return generateReduction(kernel, profile, options, 'row', { cooperative: true, subgroups });
}
