import { describe, expect, it } from 'vitest';
import { compareCorpora, compareKeys, formatReport, hasChanges } from './compare.js';
import { CORPUS_VERSION, type Corpus } from './corpus.js';

function corpus(kernels: Record<string, string>, skipped: Record<string, string> = {}): Corpus {
  const keys = Object.keys(kernels);
  return {
    version: CORPUS_VERSION,
    kernels,
    labels: Object.fromEntries(keys.map((key) => [key, `row label-of-${key}`])),
    entries: [...new Set(keys.map((key) => key.split('/').slice(0, -2).join('/')))],
    skipped,
  };
}

const base = {
  'zoo/a/hardware/0': 'fn main() {\n  let x = 1;\n}\n',
  'zoo/a/hardware/1': 'fn main() {\n  let y = 2;\n}\n',
  'zoo/a/software/0': 'fn main() {\n  let x = 1;\n}\n',
};

describe('compareCorpora', () => {
  it('finds nothing between identical corpora', () => {
    const report = compareCorpora(corpus(base), corpus({ ...base }));
    expect(report).toMatchObject({ compared: 3, unchanged: 3, added: [], removed: [], changed: [] });
    expect(hasChanges(report)).toBe(false);
    expect(formatReport(report)).toBe('3 kernels compared: 3 unchanged, 0 changed, 0 added, 0 removed\n');
  });

  it('reports a changed kernel with a unified diff from the baseline to the current WGSL', () => {
    const current = { ...base, 'zoo/a/hardware/1': 'fn main() {\n  let y = 3;\n}\n' };
    const report = compareCorpora(corpus(base), corpus(current));
    expect(report.compared).toBe(3);
    expect(report.unchanged).toBe(2);
    expect(report.changed.map(({ key }) => key)).toEqual(['zoo/a/hardware/1']);
    const { diff, label } = report.changed[0]!;
    expect(label).toBe('row label-of-zoo/a/hardware/1');
    expect(diff).toContain('--- a/zoo/a/hardware/1');
    expect(diff).toContain('+++ b/zoo/a/hardware/1');
    expect(diff).toContain('-  let y = 2;');
    expect(diff).toContain('+  let y = 3;');
    expect(diff).not.toContain('-fn main()');
    expect(hasChanges(report)).toBe(true);
    const text = formatReport(report);
    expect(text).toContain('1 changed');
    expect(text).toContain('=== zoo/a/hardware/1  (row label-of-zoo/a/hardware/1)');
    expect(text).toContain('+  let y = 3;');
    expect(formatReport(report, { diffs: false })).not.toContain('+  let y = 3;');
  });

  it('reports added and removed kernels, in key order with numeric indices', () => {
    const baseline = { ...base, 'zoo/b/hardware/0': 'old' };
    const current = { ...base, 'zoo/a/hardware/10': 'x', 'zoo/a/hardware/2': 'y' };
    const report = compareCorpora(corpus(baseline), corpus(current));
    expect(report.added.map(({ key }) => key)).toEqual(['zoo/a/hardware/2', 'zoo/a/hardware/10']);
    expect(report.removed).toEqual([{ key: 'zoo/b/hardware/0', label: 'row label-of-zoo/b/hardware/0' }]);
    expect(report.changed).toEqual([]);
    expect(report.compared).toBe(3);
    expect(hasChanges(report)).toBe(true);
    const text = formatReport(report);
    expect(text).toContain(
      'added:\n  zoo/a/hardware/2  (row label-of-zoo/a/hardware/2)\n  zoo/a/hardware/10',
    );
    expect(text).toContain('removed:\n  zoo/b/hardware/0');
  });

  it('leaves entries either side skipped out of the comparison', () => {
    const current = { ...base, 'bench/m/weft-fused/hardware/0': 'new' };
    const report = compareCorpora(corpus(base, { bench: 'no graphs' }), corpus(current));
    expect(report.added).toEqual([]);
    expect(report.skipped).toEqual({ bench: 'no graphs' });
    expect(hasChanges(report)).toBe(false);
    expect(formatReport(report)).toContain('skipped bench: no graphs');
  });

  it('orders keys by entry, profile and numeric kernel index', () => {
    expect(
      ['a/software/0', 'a/hardware/10', 'a-b/hardware/0', 'a/hardware/9', 'a/b/hardware/0'].sort(compareKeys),
    ).toEqual(
      ['a', 'a-b', 'a/b'].flatMap((entry) =>
        entry === 'a' ? ['a/hardware/9', 'a/hardware/10', 'a/software/0'] : [`${entry}/hardware/0`],
      ),
    );
  });
});
