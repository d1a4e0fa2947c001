import { describe, expect, it } from 'vitest';
import { timingOf as timing } from '../timing-fixture.js';
import { formatLongDecodeTable } from './long-decode-table.js';

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
