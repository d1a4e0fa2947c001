import { type Kernel, maxElementCount } from '@weft/ir';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile } from '../generated-kernel.js';
import { analyzeReductions } from './reduction-analysis.js';
import type { ReductionStrategy } from './reduction-kernel.js';
import { workgroupWidth } from './template-support.js';

/**
 * Rows at most this long (elements, the bound for symbolic lengths) run one invocation per row on
 * every device: split over a workgroup, each invocation would load about one element and then
 * wait at log₂(length) barriers per reduction.
 */
export const SERIAL_ROW_LENGTH = 32;

/**
 * Invocations per workgroup when each invocation owns a row: enough rows per workgroup to fill
 * SIMD lanes, few enough that a few hundred rows still spread over many workgroups (and CPU
 * threads, on a software adapter).
 */
export const SERIAL_ROWS_PER_WORKGROUP = 64;

/**
 * Columns per loop iteration in the serial variant, each into its own accumulator: independent
 * loads and adds per iteration, and a long row's sum split into four shorter ones.
 */
export const SERIAL_UNROLL = 4;

/**
 * How a `row` kernel spreads its work, decided from the kernel's shape and the device's facts:
 *
 * - **serial** (one invocation per row, no barriers, {@link SERIAL_ROWS_PER_WORKGROUP} rows per
 *   workgroup) on a software adapter (`profile.software`), where every `workgroupBarrier()` is a
 *   coroutine switch per invocation and a 256-wide tree reduction costs hundreds of times the
 *   arithmetic; and on any device when rows have at most {@link SERIAL_ROW_LENGTH} elements;
 * - **cooperative** otherwise: one workgroup per row, columns split over up to 256 invocations,
 *   combined by subgroup operations when `profile.subgroups` (unless
 *   `options.subgroupReductions` is `false`), otherwise by a tree in workgroup memory.
 *
 * Both variants compute the same reductions in the same order per invocation, so every output
 * kind (per-row, per-element, argmax) and symbolic lengths work in either.
 */
export function chooseRowStrategy(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): ReductionStrategy {
  const rowLength = maxElementCount(analyzeReductions(kernel).columnShape);
  if (profile.software === true || rowLength <= SERIAL_ROW_LENGTH) {
    return {
      cooperative: false,
      subgroups: false,
      width: workgroupWidth(profile, SERIAL_ROWS_PER_WORKGROUP),
      unroll: SERIAL_UNROLL,
    };
  }
  return { cooperative: true, subgroups: profile.subgroups && options.subgroupReductions !== false };
}
