import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';

const PROMPTS = [
  [1, 5, 2],
  [7, 18, 40],
  [3, 3, 3, 9],
  [44, 2],
  [11, 30, 6],
];

describe('concurrent generations on one model on the device', () => {
  it('5 concurrent generations give the tokens of 5 sequential ones', async () => {
    const model = await compileModel(TINY_LLAMA, { device: await getTestDevice(), seed: 3 });
    const sequential: number[][] = [];
    for (const prompt of PROMPTS)
      sequential.push([...(await model.generate(prompt, { maxTokens: 4 })).tokens]);
    const concurrent = await Promise.all(PROMPTS.map((prompt) => model.generate(prompt, { maxTokens: 4 })));
    expect(concurrent.map((result) => [...result.tokens])).toEqual(sequential);
    model.destroy();
  });

  it('generate and resetState after destroy reject with a WeftError before touching the device', async () => {
    const model = await compileModel(TINY_LLAMA, { device: await getTestDevice(), seed: 3 });
    model.destroy();
    await expect(model.generate([1, 2], { maxTokens: 2 })).rejects.toThrow(/destroyed/);
    expect(() => model.decoder.resetState()).toThrow(/destroyed/);
  });
});
