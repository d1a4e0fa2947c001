import type { BudgetInputClass } from './budget-inputs.js';

/** One known exception to the f32 error budget. */
export interface KnownOverBudget {
  /** The zoo entry's id. */
  readonly id: string;
  /** The input classes on which it exceeds the budget. */
  readonly classes: readonly BudgetInputClass[];
  /** Why. */
  readonly reason: string;
}

/**
 * Entries and input classes whose kernels exceed the f32 error budget today, each with its reason
 * (measured in `docs/guides/error-budget.md`). `pnpm zoo --budget` and the budget's GPU test fail
 * on any other row over the budget.
 */
export const KNOWN_OVER_BUDGET: readonly KnownOverBudget[] = [
  {
    id: 'rope-2d-image-grid',
    classes: ['normal', 'offset'],
    reason:
      "WGSL sin and cos need only be within 2^-11 (absolute) and SwiftShader's are far from correctly rounded, so " +
      'the rotated queries and keys carry errors near 1e-4 where the f32 CPU evaluation, with correctly rounded ' +
      'sine and cosine, stays near 1e-7',
  },
  {
    id: 'rnope-swa',
    classes: ['normal', 'offset', 'long'],
    reason:
      "WGSL sin and cos need only be within 2^-11 (absolute), and SwiftShader's are far from correctly rounded: " +
      'about 6.5e-5 at positions below 24, ' +
      '1.4e-4 at positions near 8k, and 8.7e-3 with keys offset by 300, whose rotation scales the sine error by |k|',
  },
];

/** Whether the row of `id` on `inputClass` is a known exception to the budget. */
export function isKnownOverBudget(id: string, inputClass: BudgetInputClass): boolean {
  return KNOWN_OVER_BUDGET.some((known) => known.id === id && known.classes.includes(inputClass));
}
