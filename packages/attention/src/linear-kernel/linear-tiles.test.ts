import { WeftError } from '@weft/ir';
import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { linearTiles } from './linear-tiles.js';

const LIMIT = DEFAULT_DEVICE_PROFILE.limits.maxComputeWorkgroupStorageSize;

describe('linearTiles', () => {
  it('keeps small problems whole', () => {
    expect(linearTiles(DEFAULT_DEVICE_PROFILE, 'b', 16, 16, 32)).toMatchObject({ chunk: 32, valueSlice: 16 });
  });
  it.each([
    [64, 64, 64],
    [64, 64, 32],
    [128, 128, 32],
    [256, 64, 64],
  ])(
    'd_k %i, d_v %i, chunk %i: fits the workgroup memory by lowering the slice, then the chunk',
    (dk, dv, chunk) => {
      const tiles = linearTiles(DEFAULT_DEVICE_PROFILE, 'b', dk, dv, chunk);
      expect(tiles.bytes).toBeLessThanOrEqual(LIMIT);
      expect(tiles.chunk).toBeLessThanOrEqual(chunk);
      expect(tiles.chunk).toBeGreaterThanOrEqual(1);
      expect(tiles.valueSlice).toBeGreaterThanOrEqual(1);
    },
  );
  it('names the block when even one position does not fit', () => {
    const tiny = {
      ...DEFAULT_DEVICE_PROFILE,
      limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxComputeWorkgroupStorageSize: 64 },
    };
    try {
      linearTiles(tiny, 'layers.2.mixer', 64, 64, 32);
      throw new Error('expected an error');
    } catch (error) {
      expect(WeftError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/layers\.2\.mixer.*head dim of 64/);
    }
  });
});
