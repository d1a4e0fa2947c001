import { describe, expect, it } from 'vitest';
import { requestDeviceWithoutSubgroups } from './request-device-without-subgroups.js';

/** An adapter double that records the descriptor it was asked for. */
function fakeAdapter(features: readonly string[]) {
  const requests: GPUDeviceDescriptor[] = [];
  const limits = {
    maxBindGroups: 6,
    maxComputeWorkgroupStorageSize: 32_768,
    maxComputeWorkgroupsPerDimension: 65_535,
    maxStorageBufferBindingSize: 1 << 30,
    maxBufferSize: 1 << 31,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupSizeZ: 64,
    maxTextureDimension2D: 8192,
  };
  const adapter = {
    features: new Set(features),
    limits,
    requestDevice(descriptor: GPUDeviceDescriptor) {
      requests.push(descriptor);
      return Promise.resolve({} as GPUDevice);
    },
  } as unknown as GPUAdapter;
  return { adapter, requests, limits };
}

describe('requestDeviceWithoutSubgroups', () => {
  it('asks for the adapter features onnxruntime wants except every subgroup feature', async () => {
    const { adapter, requests } = fakeAdapter([
      'core-features-and-limits',
      'subgroups',
      'subgroups-f16',
      'subgroup-size-control',
      'timestamp-query',
      'shader-f16',
    ]);
    await requestDeviceWithoutSubgroups(adapter, 'no-subgroups');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.label).toBe('no-subgroups');
    expect(requests[0]?.requiredFeatures).toEqual(['timestamp-query', 'shader-f16']);
  });

  it('asks only for features the adapter has', async () => {
    const { adapter, requests } = fakeAdapter(['subgroups', 'timestamp-query']);
    await requestDeviceWithoutSubgroups(adapter, 'no-subgroups');
    expect(requests[0]?.requiredFeatures).toEqual(['timestamp-query']);
  });

  it('raises the compute and buffer limits to the adapter maximum, and no others', async () => {
    const { adapter, requests, limits } = fakeAdapter([]);
    await requestDeviceWithoutSubgroups(adapter, 'no-subgroups');
    const { maxTextureDimension2D: _untouched, ...raised } = limits;
    expect(requests[0]?.requiredLimits).toEqual(raised);
  });
});
