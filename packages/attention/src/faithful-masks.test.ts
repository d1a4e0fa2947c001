import { SpecError, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { checkBlockRule, chunked, customMask, keySelection, type Mask, overlappingChunks } from './index.js';

const TILINGS = [
  { query: 4, key: 4 },
  { query: 8, key: 16 },
  { query: 16, key: 16 },
  { query: 1, key: 32 },
  { query: 3, key: 5 },
];

/** Whether `mask` keeps (q, k): a 1×1 block is full exactly when its one pair is kept. */
function keeps(
  mask: Mask,
  q: number,
  k: number,
  lengths: { queries: number; keys: number },
  read?: (name: string, index: readonly number[]) => number,
) {
  return (
    mask.blockSparsity(q, k, { query: 1, key: 1 }, lengths, read === undefined ? {} : { read }) === 'full'
  );
}

describe('overlappingChunks (TKL, catalog #51)', () => {
  // TKL: left-pad 5, unfold windows of 50 with stride 40, keep the 40 core outputs of each window.
  // Query i's window starts at 40·⌊i/40⌋ − 5 in unpadded positions and holds 50 positions.
  const tklWindow = (i: number, size: number, overlap: number) => {
    const start = Math.floor(i / size) * size - overlap;
    return { start, end: start + size + 2 * overlap };
  };

  it("keeps exactly the keys of the query's extended chunk, as TKL's unfold does", () => {
    const lengths = { queries: 100, keys: 100 };
    const mask = overlappingChunks(40, 5);
    for (let i = 0; i < 100; i++) {
      const { start, end } = tklWindow(i, 40, 5);
      for (let j = 0; j < 100; j++) expect(keeps(mask, i, j, lengths)).toBe(j >= start && j < end);
    }
  });

  it('classifies tiles exactly like its predicate, top-left and bottom-right, and equals chunked at overlap 0', () => {
    for (const lengths of [
      { queries: 37, keys: 37 },
      { queries: 11, keys: 45 },
    ]) {
      checkBlockRule(overlappingChunks(8, 3), lengths, TILINGS);
      checkBlockRule(overlappingChunks(5, 7, { align: 'top-left' }), lengths, TILINGS);
      checkBlockRule(overlappingChunks(6, 0), lengths, TILINGS);
      for (let i = 0; i < lengths.queries; i++)
        for (let j = 0; j < lengths.keys; j++)
          expect(keeps(overlappingChunks(6, 0), i, j, lengths)).toBe(keeps(chunked(6), i, j, lengths));
    }
  });

  it('skips tiles outside every window of the query tile', () => {
    const mask = overlappingChunks(40, 5);
    const lengths = { queries: 200, keys: 200 };
    const classes = Array.from({ length: 13 }, (_, kb) =>
      mask.blockSparsity(3, kb, { query: 16, key: 16 }, lengths),
    );
    // Queries 48–63 (chunk 1) see keys 35–84: key tiles 2–5, the rest is empty.
    expect(classes).toEqual([
      'empty',
      'empty',
      'partial',
      'full',
      'full',
      'partial',
      ...Array(7).fill('empty'),
    ]);
  });

  it('rejects a negative or fractional overlap and a size below 1, naming the mask and option', () => {
    expect(() => overlappingChunks(40, -1)).toThrow(SpecError);
    expect(() => overlappingChunks(40, 1.5)).toThrow(/overlappingChunks: overlap must be an integer >= 0/);
    expect(() => overlappingChunks(0, 5)).toThrow(/overlappingChunks: size must be an integer >= 1/);
    // Beyond i32 it covers every position, as the reference does.
    expect(keeps(overlappingChunks(2 ** 33, 2 ** 33), 5, 0, { queries: 8, keys: 8 })).toBe(true);
  });
});

describe('keySelection (iFAM, catalog #84)', () => {
  const batch = 2;
  const keys = 12;
  const selection = [
    [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1],
    [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0],
  ];
  const read = (_: string, index: readonly number[]) => selection[index[0]!]![index[1]!]!;

  it('keeps M_ij = m_j per sample, plus the always-kept prefix (CLS and registers)', () => {
    const mask = keySelection(tensorRef('m', [batch, keys], 'i32'), { prefix: 3 });
    const lengths = { queries: 5, keys };
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < keys; j++) {
          // The predicate itself, pair by pair (the block rule leaves tiles past the prefix partial).
          const kept =
            customMask(() => mask.predicate).blockSparsity(i, j, { query: 1, key: 1 }, lengths, {
              read,
              batch: b,
            }) === 'full';
          expect(kept).toBe(j < 3 || selection[b]![j] === 1);
        }
  });

  it('claims full tiles only inside the prefix and never claims a tile empty', () => {
    const mask = keySelection(tensorRef('m', [batch, keys], 'i32'), { prefix: 4 });
    checkBlockRule(mask, { queries: 7, keys }, TILINGS, { read });
    expect(mask.blockSparsity(0, 0, { query: 4, key: 4 }, { queries: 7, keys }, { read })).toBe('full');
    expect(mask.blockSparsity(0, 1, { query: 4, key: 4 }, { queries: 7, keys }, { read })).toBe('partial');
  });

  it('rejects a selection that is not [batch, keys] and unknown options', () => {
    expect(() => keySelection(tensorRef('m', [2, 3, 12], 'i32'))).toThrow(
      /keySelection: the selection must be \[batch, keys\]/,
    );
    expect(() => keySelection(tensorRef('m', [2, 12], 'i32'), { prefx: 2 } as never)).toThrow(SpecError);
    expect(() => keySelection(tensorRef('m', [2, 12], 'i32'), { prefix: -1 })).toThrow(
      /prefix must be an integer >= 0/,
    );
  });
});
