import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgressBar } from './progress-bar.js';

describe('progress bar', () => {
  it('formats the filled share, the percentage and the label, clamping out-of-range counts', () => {
    expect(formatProgressBar(0, 8, 8, 'compiling')).toBe('[--------]   0% compiling');
    expect(formatProgressBar(3, 8, 8, 'compiling')).toBe('[###-----]  37% compiling');
    expect(formatProgressBar(8, 8, 8, 'x')).toBe('[########] 100% x');
    expect(formatProgressBar(12, 8, 4, 'x')).toBe('[####] 100% x');
    expect(formatProgressBar(-1, 8, 4, 'x')).toBe('[----]   0% x');
  });

  it('redraws in place on a terminal, skipping unchanged lines, and ends the line', () => {
    const writes: string[] = [];
    const bar = createProgressBar({
      total: 4,
      label: 'decode',
      width: 4,
      stream: { isTTY: true, write: (t) => writes.push(t) },
    });
    bar.update(1);
    bar.update(1);
    bar.update(2);
    bar.finish();
    expect(writes).toEqual(['\r[#---]  25% decode', '\r[##--]  50% decode', '\r[####] 100% decode', '\n']);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const writes: string[] = [];
    const bar = createProgressBar({ total: 2, label: 'x', stream: { write: (t) => writes.push(t) } });
    bar.update(1);
    bar.finish();
    expect(writes).toEqual([]);
  });
});
