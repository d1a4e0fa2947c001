/**
 * `@weft/ir/internal`: the fusion planner's internals, for Weft's own code generators and tools.
 * Not a public API: names here may change in any release. Templates read a kernel's decisions from
 * `kernel.schedule` rather than re-deriving them with these functions.
 *
 * @packageDocumentation
 */

export { defOf } from './plan/def-of.js';
export { epilogueLayout } from './plan/epilogue-layout.js';
export type { KernelDraft } from './plan/kernel-draft.js';
export { type ScheduledParts, scheduleKernel } from './plan/kernel-schedule.js';
export { CHEAP_CONE_LIMIT, type NodeRole, nodeRole } from './plan/node-role.js';
export {
  isPerElement,
  isPerRow,
  isRowReshape,
  matmulRowDomain,
  PROLOGUE_REDUCTIONS,
  readsOwnRow,
  reductionDomain,
  sameDomain,
} from './plan/reduction-domain.js';
export { DEFAULT_MAX_KERNEL_OUTPUTS } from './plan/split-wide-kernels.js';
