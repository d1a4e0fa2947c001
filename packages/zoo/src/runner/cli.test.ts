import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ZOO } from '../zoo.js';
import { UsageError } from './command-line.js';
import { formatZooTable } from './format-zoo-table.js';
import type { ZooMeasurement } from './measure-zoo-entry.js';
import { selectZooEntries } from './select-zoo-entries.js';
import { parseZooArguments } from './zoo-arguments.js';
import { runZoo } from './zoo-command.js';

describe('parseZooArguments', () => {
  it('defaults to every entry, 2 warm-up and 7 timed runs, no JSON', () => {
    expect(parseZooArguments([])).toEqual({
      only: [],
      runs: 7,
      warmup: 2,
      cpu: false,
      budget: false,
      help: false,
    });
  });

  it('reads --json, comma-separated and repeated --only, --runs, --warmup and --cpu', () => {
    const options = parseZooArguments([
      '--json',
      'zoo.json',
      '--only',
      'layer-norm,qk-norm',
      '--only',
      'spade',
      '--runs',
      '9',
      '--warmup',
      '0',
      '--cpu',
      '--budget',
    ]);
    expect(options).toEqual({
      json: 'zoo.json',
      only: ['layer-norm', 'qk-norm', 'spade'],
      runs: 9,
      warmup: 0,
      cpu: true,
      budget: true,
      help: false,
    });
  });

  it('rejects fewer than 5 timed runs and unknown options', () => {
    expect(() => parseZooArguments(['--runs', '3'])).toThrow(/--runs must be an integer ≥ 5.*got 3\)/s);
    expect(() => parseZooArguments(['--fast'])).toThrow(/--fast/);
    expect(() => parseZooArguments(['--warmup', '-1'], 'weft zoo')).toThrow(
      'weft zoo: --warmup must be an integer ≥ 0 (got -1)',
    );
    expect(() => parseZooArguments(['--json'])).toThrow(UsageError);
    expect(() => parseZooArguments(['layer-norm'])).toThrow(/unexpected argument layer-norm/);
  });
});

describe('selectZooEntries', () => {
  it('selects every entry without filters', () => {
    expect(selectZooEntries([])).toBe(ZOO);
  });

  it('selects exact ids and mechanisms, else ids containing the filter, in zoo order', () => {
    const ids = selectZooEntries(['entmax', 'LayerNorm']).map((entry) => entry.id);
    expect(ids).toEqual(['layer-norm', 'adaptive-sparse-entmax', 'entmax-1-5']);
  });

  it('names the command, the filter that selects nothing, the closest ids and every id', () => {
    expect(() => selectZooEntries(['no-such-thing'])).toThrow(
      /^pnpm zoo: --only "no-such-thing" names no zoo entry\nthe \d+ zoo ids:\n {2}layer-norm, /,
    );
    expect(() => selectZooEntries(['entmx'], 'weft zoo')).toThrow(
      /^weft zoo: --only "entmx" names no zoo entry; did you mean "adaptive-sparse-entmax", "entmax-1-5"\?\n/,
    );
  });
});

describe('formatZooTable', () => {
  const measurement = (mechanism: string, error: number, passed: boolean): ZooMeasurement => ({
    id: mechanism.toLowerCase(),
    mechanism,
    paper: { id: 34, title: 'title', group: 'G3' },
    backend: 'webgpu',
    kernels: 1,
    dispatches: 1,
    maxRelativeError: error,
    tolerance: 1e-5,
    passed,
    medianMs: 0.4567,
    madMs: 0.0123,
    timedRuns: 5,
  });

  it('prints one aligned row per entry and marks the failures', () => {
    const table = formatZooTable([
      measurement('LayerNorm', 1.234e-7, true),
      measurement('RMSNorm', 3e-4, false),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^mechanism\s+paper\s+group\s+kernels\s+max rel\. error\s+tolerance\s+median ms\s+± MAD$/,
    );
    expect(lines[2]).toMatch(/^LayerNorm\s+34\s+G3\s+1\s+1\.23e-7\s+1e-5\s+0\.457\s+0\.012$/);
    expect(lines[3]).toMatch(/^RMSNorm\s+34\s+G3\s+1\s+3\.00e-4\s+1e-5\s+0\.457\s+0\.012\s+FAIL$/);
    // Numbers align right under their headings.
    const paperEnd = lines[0]!.indexOf('paper') + 'paper'.length;
    expect(lines[2]!.indexOf(' 34 ') + 3).toBe(paperEnd);
    expect(lines[3]!.indexOf(' 34 ') + 3).toBe(paperEnd);
  });
});

describe('runZoo', () => {
  it('runs the selected entries, writes the JSON table and exits 0 when all are within tolerance', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'weft-zoo-'));
    const file = join(folder, 'zoo.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      let progress = '';
      const status = await runZoo(
        ['--cpu', '--only', 'layer-norm,softmax-sink', '--runs', '5', '--json', file],
        { progress: { isTTY: false, write: (text: string) => (progress += text) } },
      );
      expect(status).toBe(0);
      // Off a terminal, one plain progress line per entry: count, entry, elapsed seconds.
      expect(progress).toMatch(
        /^zoo: 1\/2 entries layer-norm \(\d+\.\d s\)\nzoo: 2\/2 entries softmax-sink \(\d+\.\d s\)\n$/,
      );
      const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
      expect(printed).toMatch(/CPU reference backend \(--cpu\)/);
      expect(printed).toMatch(/^LayerNorm\s+34\s+G3\s+1\s/m);
      expect(printed).toMatch(/2 of 2 entries within tolerance/);
      const report = JSON.parse(readFileSync(file, 'utf8'));
      expect(report.entries.map((entry: { id: string }) => entry.id)).toEqual(['layer-norm', 'softmax-sink']);
      for (const entry of report.entries) {
        expect(entry.backend).toBe('cpu');
        expect(entry.maxRelativeError).toBeLessThan(2e-7);
        expect(entry.timedRuns).toBe(5);
      }
    } finally {
      log.mockRestore();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
