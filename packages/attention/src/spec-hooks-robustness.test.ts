import { constant, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { customMask, scoreMod } from './index.js';

describe('user hooks that return nothing are SpecErrors', () => {
  it('a customMask returning undefined', () => {
    const build = () => customMask(() => undefined as never, 'myMask');
    expect(build).toThrow(SpecError);
    expect(build).toThrow(/myMask: the mask function must return a bool Expr.*got undefined/);
  });

  it('a scoreMod returning undefined', () => {
    const build = () => scoreMod(() => undefined as never, 'myMod').apply(constant(1, 'f32'));
    expect(build).toThrow(SpecError);
    expect(build).toThrow(/myMod: a score mod must return an f32 Expr.*got undefined/);
  });
});
