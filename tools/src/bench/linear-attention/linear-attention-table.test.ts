import { describe, expect, it } from 'vitest';
import { timingOf as timing } from '../timing-fixture.js';
import { formatLinearBenchTable } from './linear-attention-table.js';

describe('formatLinearBenchTable', () => {
  it('lists each contender, then each ratio of medians beside its target', () => {
    const table = formatLinearBenchTable(
      [
        { label: 'softmax', dispatches: 1 },
        { label: 'chunked', dispatches: 1 },
        { label: 'broken', dispatches: 3 },
      ],
      [timing([10, 12, 20]), timing([2, 3, 4]), { error: new Error('lost') }],
      [
        { label: 'softmax / chunked', slower: 'softmax', faster: 'chunked', target: '≥ 4×' },
        { label: 'broken / chunked', slower: 'broken', faster: 'chunked', target: '≤ 1.25×' },
      ],
    );
    const lines = table.split('\n');
    expect(lines[1]).toBe('softmax | 1 | 12.000 | 2.000 | 10.000–20.000 | 3');
    expect(lines[3]).toBe('broken | 3 | failed: Error: lost');
    expect(lines[6]).toBe('softmax / chunked | 4.00× | ≥ 4×');
    expect(lines[7]).toBe('broken / chunked | n/a | ≤ 1.25×');
  });
});
