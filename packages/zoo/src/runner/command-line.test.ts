import { describe, expect, it } from 'vitest';
import { type CommandLineSpec, formatUsage, parseCommandLine, UsageError } from './command-line.js';

const SPEC: CommandLineSpec = {
  command: 'pnpm demo',
  synopsis: 'pnpm demo [--name TEXT] [--loud] [--no-color]',
  options: [
    { name: 'name', value: 'TEXT', description: 'who to greet\n(repeatable)' },
    { name: 'loud', description: 'shout' },
    { name: 'no-color', description: 'plain text' },
  ],
};

describe('parseCommandLine', () => {
  it('reads values as text (separate, inline, repeated) and flags, skipping a --', () => {
    const line = parseCommandLine(SPEC, ['--', '--name', '007', '--name=b', '--loud', '--no-color']);
    expect(line.strings('name')).toEqual(['007', 'b']);
    expect(line.string('name')).toBe('b');
    expect([line.flag('loud'), line.flag('no-color'), line.flag('help')]).toEqual([true, true, false]);
    expect(parseCommandLine(SPEC, ['-h']).flag('help')).toBe(true);
    expect(parseCommandLine(SPEC, []).flag('no-color')).toBe(false);
  });

  it('throws a UsageError naming the unknown option, the missing value or the stray argument', () => {
    expect(() => parseCommandLine(SPEC, ['--nmae', 'x'])).toThrow(UsageError);
    expect(() => parseCommandLine(SPEC, ['--nmae', 'x'])).toThrow(/pnpm demo: Unknown option `--nmae`/);
    expect(() => parseCommandLine(SPEC, ['--name'])).toThrow(/--name needs a value/);
    expect(() => parseCommandLine(SPEC, ['--name', '--loud'])).toThrow(/--name needs a value/);
    expect(() => parseCommandLine(SPEC, ['x'])).toThrow(/unexpected argument x/);
  });

  it('reads a negative number after an option as its value, not as an option', () => {
    expect(parseCommandLine(SPEC, ['--name', '-3']).string('name')).toBe('-3');
    expect(parseCommandLine(SPEC, ['--name', '-.5', '--loud']).string('name')).toBe('-.5');
  });
});

describe('formatUsage', () => {
  it('aligns the options and their continuation lines, with --help last', () => {
    expect(formatUsage(SPEC).split('\n')).toEqual([
      'Usage: pnpm demo [--name TEXT] [--loud] [--no-color]',
      '',
      '  --name TEXT  who to greet',
      '               (repeatable)',
      '  --loud       shout',
      '  --no-color   plain text',
      '  --help       show this text',
    ]);
  });
});
