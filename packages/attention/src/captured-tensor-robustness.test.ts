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
    const wide = attention({ heads: 2, headDim: 8, score: [keyBias(tensorRef('keyBias', [32]))] });
    expect(() =>
      applyAttention(wide, { ...qkv(seq), tensors: { keyBias: input('keyBias', [seq]) } }),
    ).not.toThrow();
  });
});

describe('captured tensors must have the dtype their reads declare', () => {
  it('an i32 segment-id tensor bound to an f32 node is a DTypeError', async () => {
    const { customMask } = await import('./index.js');
    const { DTypeError } = await import('@weft/ir');
    const ids = tensorRef('ids', [16], 'i32');
    const spec = attention({ heads: 2, headDim: 8, mask: customMask(({ q, k }) => ids.at(q).eq(ids.at(k))) });
    const build = (dtype: 'f32' | 'i32') =>
      applyAttention(spec, {
        ...qkv(16),
        query: input('q', [1, 2, 16, 8]),
        tensors: { ids: input('ids', [16], dtype) },
      });
    expect(() => build('f32')).toThrow(DTypeError);
    expect(() => build('f32')).toThrow(/tensor "ids".*expected i32.*got f32/);
    expect(() => build('i32')).not.toThrow();
  });
});

describe('captured tensors must have the shape their tensorRef declares', () => {
  it('a [16] tensorRef bound to a [17] tensor is a ShapeError; [16] and seq<=16 pass', () => {
    const bias = tensorRef('bias', [16]);
    const spec = attention({ heads: 2, headDim: 8, score: [keyBias(bias)] });
    const build = (node: ReturnType<typeof param>) =>
      applyAttention(spec, { ...qkv(16), tensors: { bias: node } });
    expect(() => build(param('bias', [17]))).toThrow(ShapeError);
    expect(() => build(param('bias', [17]))).toThrow(
      /tensor "bias".*declared shape.*expected \[16\].*got \[17\]/,
    );
    expect(() => build(param('bias', [16]))).not.toThrow();
    const seq = symbolicDim('seq', { max: 16 });
    expect(() =>
      applyAttention(spec, { ...qkv(seq), tensors: { bias: input('bias', [seq]) } }),
    ).not.toThrow();
  });
});
