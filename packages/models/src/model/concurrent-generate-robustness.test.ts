import { describe, expect, it } from 'vitest';
import { createSerialQueue } from '../generate/serial-queue.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { compileModel } from './compile-model.js';

const PROMPTS = Array.from({ length: 20 }, (_, index) => [
  (index * 7 + 1) % 48,
  (index * 13 + 5) % 48,
  (index * 3 + 2) % 48,
]);

describe('concurrent use of one model (CPU backend)', () => {
  it('20 concurrent generations give the tokens of 20 sequential ones', async () => {
    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 3 });
    const sequential: number[][] = [];
    for (const prompt of PROMPTS) {
      sequential.push([...(await model.generate(prompt, { maxTokens: 4 })).tokens]);
    }
    const concurrent = await Promise.all(PROMPTS.map((prompt) => model.generate(prompt, { maxTokens: 4 })));
    expect(concurrent.map((result) => [...result.tokens])).toEqual(sequential);
    model.destroy();
  });

  it('a step queued behind a generation sees the caches the generation left', async () => {
    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 3 });
    const expected = await model.step([1, 2, 3], 0);
    const [, stepped] = await Promise.all([
      model.generate([9, 8, 7], { maxTokens: 3 }),
      model.step([1, 2, 3], 0),
    ]);
    expect(Array.from(stepped)).toEqual(Array.from(expected));
    model.destroy();
  });

  it('the serial queue runs tasks in call order and survives a failed task', async () => {
    const queue = createSerialQueue();
    const order: number[] = [];
    const slow = queue(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(1);
    });
    const failing = queue(() => {
      order.push(2);
      throw new Error('boom');
    });
    const last = queue(() => order.push(3));
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await last;
    expect(order).toEqual([1, 2, 3]);
  });
});
