import { UnsupportedError } from '@weft/ir';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { logLinearTiles } from './log-linear-template.js';

const withLimit = (bytes: number): DeviceProfile => ({
  ...DEFAULT_DEVICE_PROFILE,
  limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxComputeWorkgroupStorageSize: bytes },
});

describe('logLinearTiles', () => {
  it('keeps the chunk and a slice of 8 when they fit, with ⌈log2 ⌈N / C⌉⌉ level states', () => {
    const tiles = logLinearTiles(withLimit(32768), 'b', 2048, 64, 64, 16);
    expect(tiles).toMatchObject({ chunk: 16, valueSlice: 8, stateLevels: 7 });
    expect(tiles.bytes).toBeLessThanOrEqual(32768);
    expect(logLinearTiles(withLimit(32768), 'b', 5, 8, 12, 16)).toMatchObject({ chunk: 16, stateLevels: 0 });
  });

  it.each([
    [16384, 512, 64, 64, 64],
    [32768, 8192, 64, 64, 64],
    [16384, 2048, 32, 64, 16],
    [8192, 100, 8, 3, 4],
  ])(
    'limit %i, N %i, d_k %i, d_v %i, chunk %i: caps the chunk at 16, halves the slice (a multiple of 4), then the chunk',
    (limit, n, dk, dv, chunk) => {
      const tiles = logLinearTiles(withLimit(limit), 'b', n, dk, dv, chunk);
      expect(tiles.bytes).toBeLessThanOrEqual(limit);
      expect(tiles.valueSlice % 4).toBe(0);
      expect(tiles.chunk).toBeLessThanOrEqual(chunk);
      expect(tiles.stateLevels).toBe(
        Math.ceil(n / tiles.chunk) > 1 ? Math.ceil(Math.log2(Math.ceil(n / tiles.chunk))) : 0,
      );
      if (tiles.chunk < Math.min(chunk, 16)) expect(tiles.valueSlice).toBe(4);
    },
  );

  it('sweeps a requested chunk above 16 in chunks of 16, its fastest, even when the larger one fits', () => {
    for (const requested of [32, 64]) {
      const tiles = logLinearTiles(withLimit(1 << 20), 'b', 2048, 64, 64, requested);
      expect(tiles).toMatchObject({ chunk: 16, valueSlice: 8, stateLevels: 7 });
    }
  });

  it('on a software adapter starts the slice from all of d_v and halves it until the tiles fit', () => {
    const software = { ...withLimit(32768), software: true };
    expect(logLinearTiles(software, 'b', 512, 64, 64, 16)).toMatchObject({ chunk: 16, valueSlice: 16 });
    expect(logLinearTiles(software, 'b', 2048, 64, 64, 16)).toMatchObject({ chunk: 16, valueSlice: 8 });
    expect(logLinearTiles(software, 'b', 100, 8, 12, 16)).toMatchObject({ chunk: 16, valueSlice: 12 });
    expect(logLinearTiles(software, 'b', 300, 64, 60, 16).valueSlice).toBe(16);
  });

  it('names the block when even a chunk of 1 does not fit', () => {
    expect(() => logLinearTiles(withLimit(1024), 'layers.3', 4096, 256, 64, 16)).toThrow(UnsupportedError);
    expect(() => logLinearTiles(withLimit(1024), 'layers.3', 4096, 256, 64, 16)).toThrow(/layers\.3/);
  });
});
