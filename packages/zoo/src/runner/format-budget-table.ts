import { formatTable } from '@weft/ir';
import type { BudgetFamily } from '../budget/budget-inputs.js';
import { BUDGET_FACTOR, BUDGET_FLOOR } from '../budget/budget-rule.js';
import type { BudgetMeasurement } from './measure-error-budget.js';

const HEADINGS = ['family', 'entry', 'class', 'output', 'kernel err', 'cpu f32 err', 'ratio', ''] as const;

/** Table order of the families. */
export const BUDGET_FAMILY_ORDER: readonly BudgetFamily[] = ['softmax', 'normalizer', 'rope', 'norm'];

/**
 * A plain-text table of error-budget rows, grouped by family: the kernel's and the CPU-f32
 * evaluation's normwise relative errors against float64, their ratio (`*`: against the floor
 * {@link BUDGET_FLOOR}), and `OVER` where the ratio exceeds {@link BUDGET_FACTOR}. Skipped classes
 * print their reason.
 */
export function formatBudgetTable(rows: readonly BudgetMeasurement[]): string {
  const ordered = [...rows].sort(
    (a, b) => BUDGET_FAMILY_ORDER.indexOf(a.family) - BUDGET_FAMILY_ORDER.indexOf(b.family),
  );
  const cells = ordered.map((row) =>
    row.status === 'skipped'
      ? [row.family, row.id, row.inputClass, '', '', '', '', `skipped: ${row.reason}`]
      : [
          row.family,
          row.id,
          row.inputClass,
          row.output,
          row.kernelError.toExponential(2),
          row.cpuF32Error.toExponential(2),
          `${Number.isNaN(row.ratio) ? 'NaN' : row.ratio.toFixed(2)}${row.floored ? '*' : ' '}`,
          row.withinBudget ? '' : 'OVER',
        ],
  );
  return formatTable(cells, {
    header: HEADINGS,
    align: ['left', 'left', 'left', 'left', 'right', 'right', 'right'],
  });
}

/** One line: the rule, the floor, and how many measured rows are within it. */
export function formatBudgetSummary(rows: readonly BudgetMeasurement[]): string {
  const measured = rows.filter((row) => row.status === 'measured');
  const within = measured.filter((row) => row.withinBudget).length;
  return (
    `${within} of ${measured.length} measured rows within the budget: kernel error ≤ ${BUDGET_FACTOR} × ` +
    `max(CPU f32 error, ${BUDGET_FLOOR.toExponential(1)}) (* marks a ratio against the floor); ` +
    `${rows.length - measured.length} skipped`
  );
}
