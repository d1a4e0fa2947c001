import { input, param, ShapeError, symbolicDim, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, keyBias, scale } from './index.js';

function qkv(keys: number | ReturnType<typeof symbolicDim>) {
  return {
    query: input('q', [1, 2, 4, 8]),
    key: input('k', [1, 2, keys, 8]),
    value: input('v', [1, 2, keys, 8]),
  };
}

describe('captured tensors are checked against their reads when the graph is built', () => {
  it('a keyBias of shape [4] read at 16 keys is refused, naming the tensor, axis and sizes', () => {
    const spec = attention({ heads: 2, headDim: 8, score: [scale(0.5), keyBias(tensorRef('keyBias', [4]))] });
    const build = () => applyAttention(spec, { ...qkv(16), tensors: { keyBias: param('keyBias', [4]) } });
    expect(build).toThrow(ShapeError);
    expect(build).toThrow(/tensor "keyBias", dim 0.*at least 16.*got 4/);
  });

  it('a symbolic key length checks against its maximum; a long enough tensor passes', () => {
    const seq = symbolicDim('seq', { max: 32 });
    const spec = attention({ heads: 2, headDim: 8, score: [keyBias(tensorRef('keyBias', [16]))] });
    expect(() => applyAttention(spec, { ...qkv(seq), tensors: { keyBias: param('keyBias', [16]) } })).toThrow(
      /at least 32/,
    );
    expect(() =>
      applyAttention(spec, { ...qkv(16), tensors: { keyBias: param('keyBias', [16]) } }),
    ).not.toThrow();
    expect(() =>
      applyAttention(spec, { ...qkv(seq), tensors: { keyBias: input('keyBias', [seq]) } }),
    ).not.toThrow();
  });
});
