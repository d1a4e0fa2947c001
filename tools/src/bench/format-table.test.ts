import type { Timing } from '@weft/zoo/runner';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatResultsTable } from './format-table.js';
import type { CaseResult } from './run-case.js';

/** A timing as measureInterleaved reports it (median, spread, runs). */
function timing(samplesMs: number[], medianMs: number, madMs: number): Timing {
  return {
    medianMs,
    madMs,
    minMs: Math.min(...samplesMs),
    maxMs: Math.max(...samplesMs),
    runs: samplesMs.length,
    samplesMs,
  };
}

describe('formatBytes', () => {
  it('uses bytes, KiB and MiB with three significant digits', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(46_592)).toBe('45.5 KiB');
    expect(formatBytes(2_894_848)).toBe('2.76 MiB');
  });
});

describe('formatResultsTable', () => {
  it('shows peak GPU bytes, n/a for a timed system without them, nothing for a skipped one', () => {
    const result: CaseResult = {
      name: 'lm-decode-past32',
      group: 'decoder-lm',
      description: 'one decode step',
      referenceSystem: 'weft-fused',
      systems: [
        {
          system: 'weft-fused',
          status: 'ok',
          timing: timing([80, 90, 100], 90, 10),
          dispatches: 25,
          peakGpuBytes: 2_894_848,
          maxRelativeError: 2.2e-4,
          tolerance: 2e-3,
        },
        {
          system: 'tfjs',
          status: 'ok',
          timing: timing([1800], 1800, 0),
          dispatches: 227,
          maxRelativeError: 8e-7,
          tolerance: 2e-3,
          ratio: 20,
        },
        { system: 'ort-jsep', status: 'skipped', tolerance: 2e-3, note: 'absent: no graph' },
      ],
    };
    const [header, , fused, tfjs, ort] = formatResultsTable([result]).split('\n');
    expect(header).toMatch(/median ms +± MAD +runs +vs ref +GFLOP\/s +dispatches +peak GPU +max rel err/);
    expect(fused).toMatch(/weft-fused +90\.0 +10\.0 +3 +ref +25 +2\.76 MiB +2\.2e-4/);
    expect(tfjs).toMatch(/tfjs +1800 +0 +1 +20\.0× +227 +n\/a +8\.0e-7/);
    expect(ort).toMatch(/ort-jsep +absent: no graph$/);
  });
});
