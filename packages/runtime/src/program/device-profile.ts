import type { DeviceProfile } from '@weft/wgsl';

/** The code generator's view of a device: the limits that shape kernels, and the features it may use. */
export function deviceProfileOf(device: GPUDevice, options: { subgroups?: boolean } = {}): DeviceProfile {
  const limits = device.limits;
  return {
    limits: {
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      minStorageBufferOffsetAlignment: limits.minStorageBufferOffsetAlignment,
    },
    shaderF16: device.features.has('shader-f16'),
    subgroups: (options.subgroups ?? true) && device.features.has('subgroups'),
  };
}
