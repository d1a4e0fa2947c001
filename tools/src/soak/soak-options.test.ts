import { UsageError } from '@weft/zoo/cli';
import { describe, expect, it } from 'vitest';
import { parseSoakOptions, SOAK_USAGE } from './soak-options.js';

describe('parseSoakOptions', () => {
  it('defaults to 2000 cycles and 500 generations, --quick to 200 and 50', () => {
    expect(parseSoakOptions([])).toEqual({ cycles: 2000, generations: 500, help: false });
    expect(parseSoakOptions(['--', '--quick', '--cycles', '7'])).toEqual({
      cycles: 7,
      generations: 50,
      help: false,
    });
    expect(parseSoakOptions(['-h']).help).toBe(true);
  });

  it('rejects unknown options, missing values and negative counts', () => {
    expect(() => parseSoakOptions(['--forever'])).toThrow(UsageError);
    expect(() => parseSoakOptions(['--cycles'])).toThrow(/--cycles needs a value/);
    expect(() => parseSoakOptions(['--generations=-3'])).toThrow(/--generations must be an integer ≥ 0/);
    expect(SOAK_USAGE).toMatch(/--generations N +generations of a tiny decoder LM/);
  });
});
