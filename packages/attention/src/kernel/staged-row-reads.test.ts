import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { causal, qkNorm } from '../index.js';
import { attentionWgsl, DIM, HEADS, SOFTWARE } from './snapshots/snapshot-support.js';
import { stagedRowReads } from './staged-row-reads.js';
import { sharedStagedReadLanes } from './tile-sizes.js';

const identity = (value: string) => value;

describe('stagedRowReads', () => {
  it('reads each vec4 of the row itself without lanes', () => {
    const reads = stagedRowReads('key_tile', 'j', 3, 'key', identity);
    expect(reads.lines).toEqual(['let key_base = j * 3;']);
    expect([0, 1, 2].map(reads.vector)).toEqual([
      'key_tile[key_base]',
      'key_tile[key_base + 1]',
      'key_tile[key_base + 2]',
    ]);
    expect(stagedRowReads('key_tile', 'j', 1, 'key', identity).vector(0)).toBe('key_tile[j]');
  });

  it('splits the row over the lanes and takes each vec4 from its lane by broadcast', () => {
    // 10 vec4s over 4 lanes: parts 0..2, the last one clamped into the row (vec4s 8, 9 exist).
    const reads = stagedRowReads('value_tile', 'j', 10, 'value', (value) => `widen(${value})`, 4);
    expect(reads.lines).toEqual([
      'let value_base = j * 10;',
      'let value_part_0 = widen(value_tile[value_base + i32(lane)]);',
      'let value_part_1 = widen(value_tile[value_base + i32(lane) + 4]);',
      'let value_part_2 = widen(value_tile[value_base + min(i32(lane) + 8, 9)]);',
    ]);
    expect(reads.vector(0)).toBe('subgroupBroadcast(value_part_0, 0u)');
    expect(reads.vector(6)).toBe('subgroupBroadcast(value_part_1, 2u)');
    expect(reads.vector(9)).toBe('subgroupBroadcast(value_part_2, 1u)');
  });
});

describe('sharedStagedReadLanes', () => {
  const profile = { ...DEFAULT_DEVICE_PROFILE, software: true, subgroups: true };
  it('is the subgroup size only when subgroups are on, the size is known and the workgroup is one subgroup', () => {
    expect(sharedStagedReadLanes({ ...profile, subgroupSize: 4 }, 4)).toBe(4);
    expect(sharedStagedReadLanes({ ...profile, subgroupSize: 4 }, 8)).toBeUndefined();
    expect(sharedStagedReadLanes({ ...profile, subgroupSize: 32 }, 4)).toBeUndefined();
    expect(sharedStagedReadLanes(profile, 4)).toBeUndefined();
    expect(sharedStagedReadLanes({ ...profile, subgroups: false, subgroupSize: 4 }, 4)).toBeUndefined();
  });
});

describe('the several-rows softmax kernel', () => {
  const broadcasting = { ...SOFTWARE, subgroups: true, subgroupSize: 4 };
  it('reads staged K and V rows by subgroup broadcast where the subgroup size is known to be 4', () => {
    const wgsl = attentionWgsl({ heads: HEADS, headDim: DIM, mask: causal(), name: 'causal' }, broadcasting);
    expect(wgsl).toContain('enable subgroups;');
    expect(wgsl).toContain('@workgroup_size(4, 1, 1)');
    // Rows without QK norm are read straight from K and V: no workgroup tile.
    expect(wgsl).toMatch(/fn staged_key\(block: Block, key_i: i32, lane: u32\)/);
    expect(wgsl).not.toContain('var<workgroup> key_tile');
    expect(wgsl).toContain('let key_at = min(key_i, nk - 1);');
    expect(wgsl).toContain('subgroupBroadcast(value_part_0, 0u)');
    // The mask runs without a branch and the key bound without a short-circuit.
    expect(wgsl).not.toContain('&&');
    expect(wgsl).toContain('let kept = (tile_kind != 1u) | (');
  });

  it('stages rows that need QK norm and reads the staged tile by broadcast', () => {
    const wgsl = attentionWgsl(
      { heads: HEADS, headDim: DIM, qkNorm: qkNorm(), name: 'normed' },
      broadcasting,
    );
    expect(wgsl).toContain('var<workgroup> key_tile');
    expect(wgsl).toMatch(/fn staged_key\(j: i32, lane: u32\)/);
    expect(wgsl).toContain('subgroupBroadcast(key_part_0, 0u)');
  });

  it('keeps plain reads (no subgroup code) where the size may vary or is not reported', () => {
    for (const profile of [
      SOFTWARE,
      { ...SOFTWARE, subgroups: true },
      { ...SOFTWARE, subgroups: true, subgroupSize: 8 },
    ]) {
      const wgsl = attentionWgsl({ heads: HEADS, headDim: DIM, name: 'plain' }, profile);
      expect(wgsl).not.toContain('subgroup');
      expect(wgsl).toContain('fold_keys(');
    }
  });
});
