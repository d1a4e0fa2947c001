import { InputError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';

describe('model inputs out of range are rejected on the host', () => {
  it('token ids −1, = vocab and 1e9 name the tokens tensor and the vocabulary bound', async () => {
    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 1 });
    for (const bad of [-1, 48, 1e9]) {
      const error = await model.step([1, bad], 0).then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
      expect(error, String(bad)).toBeInstanceOf(InputError);
      expect(error!.message).toMatch(/tensor "tokens"/);
      expect(error!.message).toMatch(/0\.\.47/);
    }
    await expect(model.generate([1, 48], { maxTokens: 2 })).rejects.toThrow(/tensor "tokens".*0\.\.47/);
    model.destroy();
  });

  it('past beyond maxSeq, negative or fractional is refused, naming past and the bound', async () => {
    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 1 });
    for (const past of [16, 15, 99, -1, 1.5, Number.NaN]) {
      await expect(model.step([1, 2], past), String(past)).rejects.toThrow(/tensor "past".*0\.\.14/);
    }
    await expect(model.step([1, 2], 14)).resolves.toHaveLength(48);
    model.destroy();
  });
});
