import {
  type Kernel,
  type KernelSchedule,
  type MatmulSchedule,
  type ReductionSchedule,
  UnsupportedError,
} from '@weft/ir';

/** The schedule of a reduction kernel; throws when the planner scheduled it otherwise. */
export function reductionScheduleOf(kernel: Kernel): ReductionSchedule {
  const schedule = kernel.schedule;
  if (schedule.kind === 'row' || schedule.kind === 'reduce') return schedule;
  throw mismatch(kernel, 'a row or reduce schedule', schedule);
}

/** The schedule of a matmul kernel; throws when the planner scheduled it otherwise. */
export function matmulScheduleOf(kernel: Kernel): MatmulSchedule {
  const schedule = kernel.schedule;
  if (schedule.kind === 'matmul') return schedule;
  throw mismatch(kernel, 'a matmul schedule', schedule);
}

function mismatch(kernel: Kernel, expected: string, schedule: KernelSchedule): UnsupportedError {
  return new UnsupportedError(`kernel ${kernel.id} (${kernel.template}) has a ${schedule.kind} schedule`, {
    expected,
    actual: schedule.kind,
  });
}
