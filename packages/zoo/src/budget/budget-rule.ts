/**
 * The f32 error budget (`docs/guides/error-budget.md`), after FlagAttention's rule: a kernel's
 * error against the float64 reference is at most {@link BUDGET_FACTOR} times the error of the same
 * unfused formula evaluated in f32 on the CPU (`interpret(graph, { precision: 'f32' })`), both
 * measured with the normwise relative error `maxRelativeError`.
 */
export const BUDGET_FACTOR = 2;

/**
 * Floor of the CPU-f32 error in the rule: where the f32 evaluation is nearly exact (a few terms,
 * errors of one rounding, about 6e-8) the bound is `2 × max(cpuF32Error, 1.2e-7)`, about two
 * f32 ulps of the largest output, so that a kernel is not failed for rounding differently once.
 */
export const BUDGET_FLOOR = 1.2e-7;

/** The verdict of the rule for one output: the ratio to the (floored) CPU-f32 error and whether it is within the factor. */
export interface BudgetVerdict {
  /** `kernelError / max(cpuF32Error, BUDGET_FLOOR)`; NaN when the kernel error is NaN. */
  readonly ratio: number;
  /** Whether the floor set the denominator (the CPU-f32 error is below it). */
  readonly floored: boolean;
  /** Whether `ratio ≤ BUDGET_FACTOR`. */
  readonly withinBudget: boolean;
}

/** Applies the rule to one output's kernel error and CPU-f32 error (both against float64). */
export function budgetVerdict(kernelError: number, cpuF32Error: number): BudgetVerdict {
  const floored = !(cpuF32Error >= BUDGET_FLOOR);
  const ratio = kernelError / Math.max(cpuF32Error, BUDGET_FLOOR);
  return { ratio, floored, withinBudget: ratio <= BUDGET_FACTOR };
}
