import { interpret } from '@weft/ir';
import { compile, type WeftDevice } from '@weft/runtime';
import {
  BUDGET_INPUT_CLASSES,
  type BudgetFamily,
  type BudgetInputClass,
  budgetFamily,
  budgetInstance,
} from '../budget/budget-inputs.js';
import { budgetVerdict } from '../budget/budget-rule.js';
import { maxRelativeError } from '../measure/max-relative-error.js';
import type { ZooEntry } from '../zoo-entry.js';
import { ZOO_EXTENSIONS } from '../zoo-extensions.js';

/** Options of {@link measureErrorBudget}. */
export interface MeasureErrorBudgetOptions {
  /** Where the kernels run: a WebGPU device, or `'cpu'` for the reference backend (float64 rounded to f32). */
  readonly device: WeftDevice | 'cpu';
  /** Input classes to measure (default: all). */
  readonly classes?: readonly BudgetInputClass[];
}

/** The error budget of one entry on one input class. */
export type BudgetMeasurement = BudgetResult | BudgetSkipped;

/** Fields of every budget row. */
export interface BudgetRow {
  /** The entry's id. */
  readonly id: string;
  /** The entry's mechanism name. */
  readonly mechanism: string;
  /** Its family in the budget table. */
  readonly family: BudgetFamily;
  /** The input class. */
  readonly inputClass: BudgetInputClass;
}

/** A measured row. */
export interface BudgetResult extends BudgetRow {
  /** Measured. */
  readonly status: 'measured';
  /** What the class changed (`k + 300`, `24 queries at positions 8168–8191`). */
  readonly note: string;
  /** The output with the worst ratio (the only one, for most entries). */
  readonly output: string;
  /** The kernels' normwise relative error against float64 on that output (NaN: an unmatched NaN). */
  readonly kernelError: number;
  /** The f32 CPU evaluation's error against float64 on that output. */
  readonly cpuF32Error: number;
  /** `kernelError / max(cpuF32Error, BUDGET_FLOOR)`. */
  readonly ratio: number;
  /** Whether the floor set the ratio's denominator. */
  readonly floored: boolean;
  /** Whether the ratio is within `BUDGET_FACTOR` (for every output). */
  readonly withinBudget: boolean;
}

/** A class that does not apply to the entry, or whose float64 reference is not finite. */
export interface BudgetSkipped extends BudgetRow {
  /** Not measured. */
  readonly status: 'skipped';
  /** Why. */
  readonly reason: string;
}

/**
 * Measures the f32 error budget of `entry` (see `docs/guides/error-budget.md`): for each input
 * class, compiles the instance, runs it once with NaN-poisoned outputs, and compares every output
 * with the float64 reference and with the f32 evaluation of the same unfused graph; the row keeps
 * the output with the worst ratio of the two errors. Programs are destroyed before returning.
 */
export async function measureErrorBudget(
  entry: ZooEntry,
  options: MeasureErrorBudgetOptions,
): Promise<BudgetMeasurement[]> {
  const family = budgetFamily(entry);
  const rows: BudgetMeasurement[] = [];
  for (const inputClass of options.classes ?? BUDGET_INPUT_CLASSES) {
    const row = { id: entry.id, mechanism: entry.mechanism, family, inputClass };
    const built = budgetInstance(entry, inputClass);
    if ('skipped' in built) {
      rows.push({ ...row, status: 'skipped', reason: built.skipped });
      continue;
    }
    const { graph, inputs, params, dims } = built.instance;
    const reference = interpret(graph, { inputs, params, dims });
    const nonFinite = Object.entries(reference).find(([, tensor]) =>
      tensor.data.some((v) => !Number.isFinite(v)),
    );
    if (nonFinite !== undefined) {
      rows.push({
        ...row,
        status: 'skipped',
        reason: `the float64 reference of ${nonFinite[0]} is not finite`,
      });
      continue;
    }
    const single = interpret(graph, { inputs, params, dims, precision: 'f32' });
    const program = await compile(graph, { device: options.device, params, extensions: ZOO_EXTENSIONS });
    let worst: BudgetResult | undefined;
    let withinBudget = true;
    try {
      const outputs = await program.run(inputs, { dims, poisonOutputs: true });
      for (const [name, expected] of Object.entries(reference)) {
        const actual = outputs[name];
        const kernelError = actual === undefined ? Number.NaN : maxRelativeError(actual.data, expected.data);
        const cpuF32Error = maxRelativeError(single[name]!.data, expected.data);
        const verdict = budgetVerdict(kernelError, cpuF32Error);
        withinBudget &&= verdict.withinBudget;
        const result: BudgetResult = {
          ...row,
          status: 'measured',
          note: built.note,
          output: name,
          kernelError,
          cpuF32Error,
          ...verdict,
        };
        const worse =
          worst === undefined ||
          (!Number.isNaN(worst.ratio) && (Number.isNaN(result.ratio) || result.ratio > worst.ratio));
        if (worse) worst = result;
      }
    } finally {
      program.destroy();
    }
    rows.push({ ...worst!, withinBudget });
  }
  return rows;
}
