import { describe, expect, test } from 'vitest';
import { deviceProfileOf } from '../program/device-profile.js';
import { SUBGROUP_MATRIX_FEATURE, subgroupMatrixSupportOf } from './subgroup-matrix-support.js';

// No adapter here has the feature: these devices are stand-ins with the fields Dawn's Node binding
// reports (src/dawn/node/binding/GPUAdapterInfo.cpp: `subgroupMaxSize`, `subgroupMatrixConfigs`).
const LIMITS = {
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupSizeX: 1024,
  maxComputeWorkgroupSizeY: 1024,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 10,
  maxStorageBufferBindingSize: 1 << 30,
  minStorageBufferOffsetAlignment: 256,
};
const CONFIGS = [
  { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 },
  { componentType: 'f16', resultComponentType: 'f16', M: 16, N: 16, K: 16 },
  { componentType: 'u8', resultComponentType: 'u32', M: 16, N: 16, K: 32 },
];

function fakeDevice(features: readonly string[], info?: object): GPUDevice {
  return {
    features: new Set(features),
    limits: LIMITS,
    ...(info === undefined ? {} : { adapterInfo: info }),
  } as unknown as GPUDevice;
}

const INFO = {
  architecture: 'hopper',
  subgroupMaxSize: 32,
  subgroupMatrixConfigs: CONFIGS,
} as unknown as GPUAdapterInfo;

describe('subgroupMatrixSupportOf', () => {
  test('copies the adapter’s configurations and subgroupMaxSize when the device has the feature', () => {
    const device = fakeDevice(['subgroups', 'shader-f16', SUBGROUP_MATRIX_FEATURE]);
    expect(subgroupMatrixSupportOf(device, INFO)).toEqual({ configs: CONFIGS, subgroupMaxSize: 32 });
  });

  test('without shader-f16 the f16 configurations are dropped', () => {
    const device = fakeDevice(['subgroups', SUBGROUP_MATRIX_FEATURE]);
    expect(subgroupMatrixSupportOf(device, INFO)).toEqual({ configs: [CONFIGS[2]], subgroupMaxSize: 32 });
  });

  test('nothing without the feature, without configurations, or without subgroupMaxSize', () => {
    expect(subgroupMatrixSupportOf(fakeDevice(['subgroups', 'shader-f16']), INFO)).toBeUndefined();
    const device = fakeDevice(['subgroups', SUBGROUP_MATRIX_FEATURE]);
    const bare = { subgroupMaxSize: 32 } as unknown as GPUAdapterInfo;
    expect(subgroupMatrixSupportOf(device, bare)).toBeUndefined();
    const noSize = { subgroupMatrixConfigs: CONFIGS } as unknown as GPUAdapterInfo;
    expect(subgroupMatrixSupportOf(device, noSize)).toBeUndefined();
  });
});

describe('deviceProfileOf and subgroup matrices', () => {
  const all = ['subgroups', 'shader-f16', SUBGROUP_MATRIX_FEATURE];

  test('read from device.adapterInfo by default; passed support wins; false turns it off', () => {
    expect(deviceProfileOf(fakeDevice(all, INFO)).subgroupMatrix?.configs).toEqual(CONFIGS);
    const passed = { configs: [CONFIGS[0]!], subgroupMaxSize: 64 };
    expect(deviceProfileOf(fakeDevice(all), { subgroupMatrix: passed }).subgroupMatrix).toEqual(passed);
    expect(deviceProfileOf(fakeDevice(all, INFO), { subgroupMatrix: false }).subgroupMatrix).toBeUndefined();
  });

  test('never present without the feature or without subgroups', () => {
    const passed = { configs: [CONFIGS[0]!], subgroupMaxSize: 64 };
    const withoutFeature = fakeDevice(['subgroups', 'shader-f16'], INFO);
    expect(deviceProfileOf(withoutFeature, { subgroupMatrix: passed }).subgroupMatrix).toBeUndefined();
    const withoutSubgroups = fakeDevice(['shader-f16', SUBGROUP_MATRIX_FEATURE], INFO);
    expect(deviceProfileOf(withoutSubgroups).subgroupMatrix).toBeUndefined();
  });
});
