import { input, interpret, makeGraph, param, tensor64, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, keyBias } from './index.js';

describe('captured tensors named like Object.prototype members', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`a keyBias named "${name}" builds and evaluates`, () => {
      const spec = attention({ heads: 1, headDim: 2, score: [keyBias(tensorRef(name, [3]))] });
      const tensors: Record<string, ReturnType<typeof param>> = Object.create(null);
      tensors[name] = param(name, [3]);
      const { output } = applyAttention(spec, {
        query: input('q', [1, 1, 3, 2]),
        key: input('k', [1, 1, 3, 2]),
        value: input('v', [1, 1, 3, 2]),
        tensors,
      });
      const params: Record<string, ReturnType<typeof tensor64>> = Object.create(null);
      params[name] = tensor64([3], [0, 0, 100]);
      const values = [0, 0, 0, 0, 0, 0];
      const { y } = interpret(makeGraph({ y: output }), {
        inputs: {
          q: tensor64([1, 1, 3, 2], values),
          k: tensor64([1, 1, 3, 2], values),
          v: tensor64([1, 1, 3, 2], [1, 1, 2, 2, 3, 3]),
        },
        params,
      });
      // The bias of 100 on key 2 puts all the weight on value row 2.
      expect(Array.from(y!.data)).toEqual([3, 3, 3, 3, 3, 3]);
    });
  }
});
