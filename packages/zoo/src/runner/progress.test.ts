import { describe, expect, it } from 'vitest';
import { startProgress } from './progress.js';

/** A stream that keeps what is written, a terminal or not. */
function capture(isTTY: boolean): {
  stream: { isTTY: boolean; write(text: string): boolean };
  text(): string;
} {
  let written = '';
  return {
    stream: {
      isTTY,
      write: (text: string) => {
        written += text;
        return true;
      },
    },
    text: () => written,
  };
}

/** `text` without ANSI escape sequences (cursor moves, line clears). */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal escapes
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
}

describe('startProgress', () => {
  it('writes one plain line per step with the count, the step and the elapsed seconds off a terminal', () => {
    const out = capture(false);
    const progress = startProgress({ label: 'compiling', total: 3, stream: out.stream });
    progress.update(1, 'graphs');
    progress.update(1, 'graphs');
    progress.update(2, 'decoder program');
    progress.finish('forward program');
    expect(out.text().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^compiling: 1\/3 graphs \(\d+\.\d s\)$/),
      expect.stringMatching(/^compiling: 2\/3 decoder program \(\d+\.\d s\)$/),
      expect.stringMatching(/^compiling: 3\/3 forward program \(\d+\.\d s\)$/),
    ]);
  });

  it('writes a line per tenth, not per step, past twenty steps', () => {
    const out = capture(false);
    const progress = startProgress({ label: 'generating', total: 100, unit: 'tokens', stream: out.stream });
    for (let done = 1; done <= 100; done++) progress.update(done);
    progress.finish();
    const lines = out.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^generating: 10\/100 tokens \(/);
    expect(lines.at(-1)).toMatch(/^generating: 100\/100 tokens \(/);
  });

  it('draws a bar with the count, the elapsed time and the step in place on a terminal', () => {
    const out = capture(true);
    const progress = startProgress({ label: 'zoo', total: 4, unit: 'entries', stream: out.stream });
    progress.update(1, 'layer-norm');
    progress.finish();
    const text = plain(out.text());
    expect(text).toContain('zoo [░░░░░░░░░░░░░░░░░░░░░░░░] 0/4 entries | 0s |');
    expect(text).toContain('zoo [████████████████████████] 4/4 entries | 0s | done');
    expect(text.endsWith('\n')).toBe(true);
    // Redrawn in place: the terminal's cursor goes back to the line's start, no newline between.
    expect(out.text()).toContain('\u001b[1G');
  });

  it('stops a bar without completing it (a step that threw)', () => {
    const out = capture(true);
    const progress = startProgress({ label: 'bench', total: 5, stream: out.stream });
    progress.update(2, 'case a');
    progress.stop();
    progress.finish();
    expect(plain(out.text())).not.toContain('5/5');
  });
});
