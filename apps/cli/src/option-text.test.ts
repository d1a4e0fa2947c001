import { cac } from 'cac';
import { describe, expect, it } from 'vitest';
import { markOptionValues, unmarkOptionValues } from './option-text.js';

/** A cac parser like weft's: `--json` is a flag of `plan` and takes a file in `bench`. */
function parse(args: readonly string[]): { args: readonly unknown[]; options: Record<string, unknown> } {
  const cli = cac('weft');
  cli.command('plan <spec>').option('--json', 'flag');
  cli.command('bench <spec>').option('--json <file>', 'file').option('--prompt <n>', 'length');
  cli.command('run <model>').option('--prompt <prompt>', 'text');
  cli.parse(['node', 'weft', ...markOptionValues(cli, args)], { run: false });
  unmarkOptionValues(cli.options);
  return { args: cli.args, options: cli.options };
}

describe('markOptionValues', () => {
  it('keeps option values as the text typed, where cac alone would read numbers', () => {
    expect(parse(['run', 'm.json', '--prompt', '']).options.prompt).toBe('');
    expect(parse(['run', 'm.json', '--prompt', '007']).options.prompt).toBe('007');
    expect(parse(['run', 'm.json', '--prompt=1e3']).options.prompt).toBe('1e3');
    expect(parse(['bench', 'm.json', '--json', '1']).options.json).toBe('1');
  });

  it("marks only the values of the invoked command's value options", () => {
    // In plan, --json is a flag: the spec path after it is a positional argument, untouched.
    expect(parse(['plan', '--json', 'm.json'])).toMatchObject({ args: ['m.json'], options: { json: true } });
    // Another option after a value option is not its value.
    expect(parse(['bench', 'm.json', '--json', '--prompt', '4']).options).toMatchObject({
      json: true,
      prompt: '4',
    });
  });
});
