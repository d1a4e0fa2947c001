import type { Kernel } from '@weft/ir';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { generateReduction } from './reduction-kernel.js';

/**
 * One invocation per output element, looping over the reduced elements: the generic reduction
 * over arbitrary axes (adjacent invocations read adjacent kept elements, which suits reductions
 * over leading axes), with the same fused producers and consumers as the `row` template.
 */
export function generateReduce(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  return generateReduction(kernel, profile, options, 'reduce', { cooperative: false, subgroups: false });
}
