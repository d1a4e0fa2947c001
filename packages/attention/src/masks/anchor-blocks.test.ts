import { SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { anchorBlocks } from './anchor-blocks.js';
import { checkBlockRule } from './custom-mask.js';
import type { Mask } from './mask.js';

const TILINGS = [
  { query: 4, key: 4 },
  { query: 8, key: 16 },
  { query: 3, key: 5 },
  { query: 1, key: 32 },
];

const keeps = (mask: Mask, q: number, k: number, lengths: { queries: number; keys: number }) =>
  mask.blockSparsity(q, k, { query: 1, key: 1 }, lengths, {}) === 'full';

describe('anchorBlocks (Star Attention phase 1, catalog #99)', () => {
  it("keeps what host ⌊p/b⌋ sees on [anchor; its block]: the anchor's keys and its own block's, causally", () => {
    const lengths = { queries: 40, keys: 40 };
    const mask = anchorBlocks(6);
    for (let p = 0; p < 40; p++) {
      const host = Math.floor(p / 6);
      // The augmented block [c_1; c_host] in global positions; the anchor is the host's own block on host 0.
      const visible = new Set([...Array(6).keys(), ...Array.from({ length: 6 }, (_, i) => host * 6 + i)]);
      for (let k = 0; k < 40; k++) expect(keeps(mask, p, k, lengths)).toBe(k <= p && visible.has(k));
    }
  });

  it('classifies tiles only as its predicate allows, both alignments, and skips the gap before a block', () => {
    for (const lengths of [
      { queries: 37, keys: 37 },
      { queries: 11, keys: 45 },
    ]) {
      checkBlockRule(anchorBlocks(8), lengths, TILINGS);
      checkBlockRule(anchorBlocks(5, { align: 'top-left' }), lengths, TILINGS);
    }
    // Query tile 5 (positions 40..47, block 5 of 8): key tiles 1..4 lie between anchor and block.
    const lengths = { queries: 64, keys: 64 };
    const classes = Array.from({ length: 8 }, (_, keyTile) =>
      anchorBlocks(8).blockSparsity(5, keyTile, { query: 8, key: 8 }, lengths, {}),
    );
    expect(classes).toEqual(['full', 'empty', 'empty', 'empty', 'empty', 'partial', 'empty', 'empty']);
  });

  it('refuses a block size below 1, naming the mask', () => {
    expect(() => anchorBlocks(0)).toThrow(SpecError);
    expect(() => anchorBlocks(0)).toThrow(/anchorBlocks: size/);
  });
});
