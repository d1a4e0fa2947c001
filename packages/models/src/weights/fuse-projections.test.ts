import { describe, expect, it } from 'vitest';
import { fuseProjections } from './fuse-projections.js';

describe('fuseProjections', () => {
  it('concatenates q, k and v column blocks row by row, leaving partial groups alone', () => {
    const tensor = (columns: number, start: number) => ({
      shape: [2, columns],
      data: Float32Array.from({ length: 2 * columns }, (_, index) => start + index),
    });
    const fused = fuseProjections(
      new Map([
        ['layers.0.attn.wq', tensor(2, 0)],
        ['layers.0.attn.wk', tensor(1, 10)],
        ['layers.0.attn.wv', tensor(1, 20)],
        ['layers.0.mlp.wUp', tensor(3, 30)],
      ]),
    );
    expect([...fused.keys()].sort()).toEqual(['layers.0.attn.wqkv', 'layers.0.mlp.wUp']);
    const qkv = fused.get('layers.0.attn.wqkv')!;
    expect(qkv.shape).toEqual([2, 4]);
    expect(Array.from(qkv.data)).toEqual([0, 1, 10, 20, 2, 3, 11, 21]);
  });

  it('rejects parts whose leading dims differ', () => {
    const part = (rows: number) => ({ shape: [rows, 2], data: new Float32Array(rows * 2) });
    expect(() =>
      fuseProjections(
        new Map([
          ['a.mlp.wGate', part(2)],
          ['a.mlp.wUp', part(3)],
        ]),
      ),
    ).toThrow(/a\.mlp\.wGateUp/);
  });
});
