import { describe, expect, it } from 'vitest';
import { benchGpu } from '../bench-gpu.js';
import { requestDeviceWithoutSubgroups } from './request-device-without-subgroups.js';

describe('requestDeviceWithoutSubgroups on the benchmark adapter', () => {
  it('creates a device without subgroups on an adapter that offers them', async () => {
    const adapter = await (await benchGpu()).requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) throw new Error('no WebGPU adapter');
    // SwiftShader offers subgroups (of size 4); on an adapter without them the check below is moot.
    expect(adapter.features.has('subgroups')).toBe(true);
    const device = await requestDeviceWithoutSubgroups(adapter, 'no-subgroups');
    try {
      expect([...device.features].filter((feature) => feature.includes('subgroup'))).toEqual([]);
      expect(device.limits.maxComputeWorkgroupStorageSize).toBe(
        adapter.limits.maxComputeWorkgroupStorageSize,
      );
      expect(device.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    } finally {
      device.destroy();
    }
  });
});
