import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { formatBudgetTable } from '../cli/format-budget-table.js';
import { runZoo } from '../cli/zoo-command.js';
import { findZooEntry } from '../zoo.js';
import { BUDGET_OFFSET, budgetFamily, budgetInstance, LONG_KEYS } from './budget-inputs.js';
import { BUDGET_FLOOR, budgetVerdict } from './budget-rule.js';
import { isKnownOverBudget, KNOWN_OVER_BUDGET } from './known-over-budget.js';
import { type BudgetMeasurement, measureErrorBudget } from './measure-error-budget.js';

const entry = (id: string) => findZooEntry(id)!;

describe('budgetVerdict', () => {
  it('divides by the CPU-f32 error, or by the floor below it, and allows a factor of 2', () => {
    expect(budgetVerdict(3e-6, 2e-6)).toEqual({ ratio: 1.5, floored: false, withinBudget: true });
    expect(budgetVerdict(5e-6, 2e-6)).toMatchObject({ ratio: expect.closeTo(2.5, 12), withinBudget: false });
    expect(budgetVerdict(2e-7, 5e-8)).toEqual({
      ratio: 2e-7 / BUDGET_FLOOR,
      floored: true,
      withinBudget: true,
    });
    expect(budgetVerdict(3e-7, 5e-8).withinBudget).toBe(false);
    expect(budgetVerdict(Number.NaN, 1e-6).withinBudget).toBe(false);
  });
});

describe('budget families and input classes', () => {
  it('sorts entries into norms, softmax attention, other normalizers and RoPE', () => {
    expect(budgetFamily(entry('layer-norm'))).toBe('norm');
    expect(budgetFamily(entry('gaam'))).toBe('norm');
    expect(budgetFamily(entry('softmax-sink'))).toBe('softmax');
    expect(budgetFamily(entry('multi-query-attention'))).toBe('softmax');
    expect(budgetFamily(entry('entmax-1-5'))).toBe('normalizer');
    expect(budgetFamily(entry('soft-nystrom-attention'))).toBe('normalizer');
    expect(budgetFamily(entry('rnope-swa'))).toBe('rope');
    expect(budgetFamily(entry('rope-2d-image-grid'))).toBe('rope');
  });

  it('offsets the normalized input of a norm and the keys of attention, nothing else', () => {
    const normal = entry('masked-instance-norm').build();
    const offset = budgetInstance(entry('masked-instance-norm'), 'offset');
    if (!('instance' in offset)) throw new Error('offset class skipped');
    expect(offset.note).toBe(`x + ${BUDGET_OFFSET}`);
    expect(offset.instance.inputs.x![0]).toBe(Math.fround(normal.inputs.x![0]! + BUDGET_OFFSET));
    expect(offset.instance.inputs.mask).toEqual(normal.inputs.mask);
    const attention = budgetInstance(entry('softmax-sink'), 'offset');
    expect('instance' in attention && attention.note).toBe(`k + ${BUDGET_OFFSET}`);
    const tied = budgetInstance(entry('soft-gaussian-kernel'), 'offset');
    expect('instance' in tied && tied.note).toBe(`q + ${BUDGET_OFFSET}`);
  });

  it('builds long positions for rnope-swa only and says why the others skip', () => {
    const long = budgetInstance(entry('rnope-swa'), 'long');
    if (!('instance' in long)) throw new Error('long class skipped');
    expect(long.instance.inputs.k!.length).toBe(2 * LONG_KEYS * 16);
    expect(long.note).toMatch(/positions 8168–8191/);
    expect(budgetInstance(entry('rope-2d-image-grid'), 'long')).toEqual({
      skipped: expect.stringMatching(/4×6 image grid/),
    });
    expect(budgetInstance(entry('layer-norm'), 'long')).toEqual({ skipped: 'no positions' });
  });
});

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

describe('known exceptions', () => {
  it('give a reason for each entry they excuse', () => {
    for (const known of KNOWN_OVER_BUDGET) {
      expect(findZooEntry(known.id)).toBeDefined();
      expect(known.reason.length).toBeGreaterThan(20);
    }
    expect(isKnownOverBudget('layer-norm', 'normal')).toBe(false);
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
