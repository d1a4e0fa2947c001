import { describe, expect, test } from 'vitest';
import { DEFAULT_DEVICE_PROFILE } from '../generated-kernel.js';
import { chooseMatmulStrategy, MATMUL_DIRECT_WIDTH, MATMUL_TILE_K } from './matmul-strategy.js';

describe('chooseMatmulStrategy', () => {
  test('a software adapter reads operands straight from storage, no workgroup memory', () => {
    expect(chooseMatmulStrategy({ ...DEFAULT_DEVICE_PROFILE, software: true })).toEqual({
      variant: 'direct',
      width: MATMUL_DIRECT_WIDTH,
    });
  });

  test('a hardware GPU stages tiles in workgroup memory', () => {
    expect(chooseMatmulStrategy(DEFAULT_DEVICE_PROFILE)).toEqual({ variant: 'tiled', tileK: MATMUL_TILE_K });
  });

  test('the direct workgroup respects a device below the preferred width', () => {
    const small = {
      ...DEFAULT_DEVICE_PROFILE,
      software: true,
      limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxComputeWorkgroupSizeX: 8 },
    };
    expect(chooseMatmulStrategy(small)).toEqual({ variant: 'direct', width: 8 });
  });
});
