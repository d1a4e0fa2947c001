import { describe, expect, it } from 'vitest';
import { formatLongDecodeTable } from './long-decode-table.js';

const timing = (samplesMs: number[]) => {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const medianMs = sorted[1]!;
  const deviations = sorted.map((x) => Math.abs(x - medianMs)).sort((a, b) => a - b);
  return {
    timing: {
      medianMs,
      madMs: deviations[1]!,
      minMs: sorted[0]!,
      maxMs: sorted[2]!,
      runs: samplesMs.length,
      samplesMs,
    },
  };
};

describe('formatLongDecodeTable', () => {
  it('gives each contender its median, spread and ratio to contender 1', () => {
    const table = formatLongDecodeTable(
      [
        { label: 'long', slots: 527, dispatches: 9 },
        { label: 'short', slots: 513, dispatches: 9 },
        { label: 'broken', slots: 4097, dispatches: 8 },
      ],
      [timing([3, 6, 9]), timing([4, 5, 8]), { error: new Error('lost') }],
    );
    const lines = table.split('\n');
    expect(lines[1]).toBe('long | 527 | 9 | 6.000 | 3.000 | 3.000–9.000 | 3 | 1.20×');
    expect(lines[2]).toBe('short | 513 | 9 | 5.000 | 1.000 | 4.000–8.000 | 3 | 1.00×');
    expect(lines[3]).toBe('broken | 4097 | 8 | failed: Error: lost');
  });
});
