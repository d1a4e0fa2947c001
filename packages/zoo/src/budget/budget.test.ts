import { describe, expect, it } from 'vitest';
import { findZooEntry } from '../zoo.js';
import { BUDGET_OFFSET, budgetFamily, budgetInstance, LONG_KEYS } from './budget-inputs.js';
import { BUDGET_FLOOR, budgetVerdict } from './budget-rule.js';
import { isKnownOverBudget, KNOWN_OVER_BUDGET } from './known-over-budget.js';

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

describe('known exceptions', () => {
  it('give a reason for each entry they excuse', () => {
    for (const known of KNOWN_OVER_BUDGET) {
      expect(findZooEntry(known.id)).toBeDefined();
      expect(known.reason.length).toBeGreaterThan(20);
    }
    expect(isKnownOverBudget('layer-norm', 'normal')).toBe(false);
  });
});
