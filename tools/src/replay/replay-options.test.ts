import { UsageError } from '@weft/zoo/cli';
import { describe, expect, it } from 'vitest';
import { parseReplayOptions } from './replay-options.js';

describe('parseReplayOptions', () => {
  it('defaults to strict mode against the default revision', () => {
    expect(parseReplayOptions([])).toEqual({ accept: false, report: false, noDiffs: false, help: false });
  });

  it('reads every option, with a separate or an inline value', () => {
    expect(
      parseReplayOptions([
        '--',
        '--against',
        'HEAD~3',
        '--accept',
        '--json=out/r.json',
        '--corpus',
        'c.json',
        '--no-diffs',
      ]),
    ).toEqual({
      against: 'HEAD~3',
      json: 'out/r.json',
      corpusOut: 'c.json',
      accept: true,
      report: false,
      noDiffs: true,
      help: false,
    });
    expect(parseReplayOptions(['--report', '--against=main']).report).toBe(true);
    expect(parseReplayOptions(['-h']).help).toBe(true);
  });

  it('rejects unknown arguments and missing values', () => {
    expect(() => parseReplayOptions(['--frobnicate'])).toThrow(UsageError);
    expect(() => parseReplayOptions(['--against'])).toThrow(/--against needs a value/);
    expect(() => parseReplayOptions(['--json', '--accept'])).toThrow(/--json needs a value/);
  });
});
