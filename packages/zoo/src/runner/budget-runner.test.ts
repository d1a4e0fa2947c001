import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { budgetVerdict } from '../budget/budget-rule.js';
import { findZooEntry } from '../zoo.js';
import { formatBudgetTable } from './format-budget-table.js';
import { type BudgetMeasurement, measureErrorBudget } from './measure-error-budget.js';
import { runZoo } from './zoo-command.js';

const entry = (id: string) => findZooEntry(id)!;

describe('measureErrorBudget on the CPU backend', () => {
  it('compares the kernel error and the CPU-f32 error per class', async () => {
    const rows = await measureErrorBudget(entry('layer-norm'), { device: 'cpu' });
    expect(rows.map((row) => [row.inputClass, row.status])).toEqual([
      ['normal', 'measured'],
      ['offset', 'measured'],
      ['long', 'skipped'],
    ]);
    for (const row of rows) {
      if (row.status !== 'measured') continue;
      // The CPU backend rounds float64 to f32 once: within the budget by construction.
      expect(row.kernelError).toBeLessThan(1e-7);
      expect(row.withinBudget).toBe(true);
    }
    // LayerNorm's graph corrects the mean once (μ₀ + mean(x − μ₀)): evaluated in f32 it stays
    // accurate at offset 300, where the plain E[x²] − E[x]² form lost about 4 digits (8e-5).
    const [normal, offset] = rows as [Extract<BudgetMeasurement, { status: 'measured' }>, (typeof rows)[0]];
    expect(normal.cpuF32Error).toBeLessThan(1e-6);
    expect(offset.status === 'measured' && offset.cpuF32Error).toBeLessThan(1e-6);
  });
});

describe('formatBudgetTable and pnpm zoo --budget', () => {
  it('prints one row per entry and class, marks floored ratios and rows over the budget', () => {
    const row = { mechanism: 'm', family: 'norm', inputClass: 'normal', status: 'measured' } as const;
    const table = formatBudgetTable([
      {
        ...row,
        id: 'a',
        note: '',
        output: 'y',
        kernelError: 1e-7,
        cpuF32Error: 6e-8,
        ...budgetVerdict(1e-7, 6e-8),
      },
      {
        ...row,
        id: 'b',
        note: '',
        output: 'y',
        kernelError: 5e-6,
        cpuF32Error: 1e-6,
        ...budgetVerdict(5e-6, 1e-6),
      },
      { id: 'c', mechanism: 'm', family: 'rope', inputClass: 'long', status: 'skipped', reason: 'why' },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^family\s+entry\s+class\s+output\s+kernel err\s+cpu f32 err\s+ratio$/);
    expect(lines[2]).toMatch(/^rope\s+c\s+long\s+skipped: why$/);
    expect(lines[3]).toMatch(/^norm\s+a\s+normal\s+y\s+1\.00e-7\s+6\.00e-8\s+0\.83\*$/);
    expect(lines[4]).toMatch(/^norm\s+b\s+normal\s+y\s+5\.00e-6\s+1\.00e-6\s+5\.00\s+OVER$/);
  });

  it('runs the budget on the CPU backend, writes the rows as JSON and exits 0', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'weft-budget-'));
    const file = join(folder, 'budget.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const status = await runZoo(['--budget', '--cpu', '--only', 'rms-norm,softmax-sink', '--json', file]);
      expect(status).toBe(0);
      const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
      expect(printed).toMatch(/^softmax\s+softmax-sink\s+offset\s+output\s/m);
      expect(printed).toMatch(/4 of 4 measured rows within the budget/);
      const report = JSON.parse(readFileSync(file, 'utf8'));
      expect(report.rows).toHaveLength(6);
    } finally {
      log.mockRestore();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
