import { InputError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { type DecodeStepper, generateTokens } from './generate-tokens.js';

const stepper: DecodeStepper = {
  maxSeq: 8,
  reset() {},
  step: async () => Float32Array.of(0, 1, 0),
};

describe('generate options are validated', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'maxTokens %s is an InputError',
    async (maxTokens) => {
      await expect(generateTokens(stepper, [1], { maxTokens })).rejects.toThrow(InputError);
      await expect(generateTokens(stepper, [1], { maxTokens })).rejects.toThrow(
        /maxTokens must be a non-negative integer/,
      );
    },
  );

  it('maxTokens 0 generates nothing; 2 generates two tokens', async () => {
    expect((await generateTokens(stepper, [1], { maxTokens: 0 })).tokens).toEqual([]);
    expect((await generateTokens(stepper, [1], { maxTokens: 2 })).tokens).toEqual([1, 1]);
  });

  it('a fractional prompt token is an InputError', async () => {
    await expect(generateTokens(stepper, [1, 2.5], { maxTokens: 1 })).rejects.toThrow(/element 1.*got 2.5/);
  });
});
