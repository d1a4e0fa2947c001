/**
 * Requests a device on `adapter` like the one onnxruntime-web's WebGPU execution provider creates
 * for itself (the features it asks for that the adapter has, the adapter's largest limits), but
 * without any subgroup feature, so that its kernels take their paths that use no subgroups.
 */
export function requestDeviceWithoutSubgroups(adapter: GPUAdapter, label: string): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of ORT_RAISED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  return adapter.requestDevice({
    label,
    requiredFeatures: ORT_FEATURES.filter((feature) => adapter.features.has(feature)),
    requiredLimits,
  });
}

// The features onnxruntime's WebGPU context requests when the adapter has them, less `subgroups`,
// `subgroups-f16` and `subgroup-size-control`.
const ORT_FEATURES: readonly GPUFeatureName[] = [
  'chromium-experimental-timestamp-query-inside-passes' as GPUFeatureName,
  'timestamp-query',
  'shader-f16',
];

// The limits onnxruntime's WebGPU context raises to the adapter's maximum.
const ORT_RAISED_LIMITS = [
  'maxBindGroups',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
] as const satisfies readonly (keyof GPUSupportedLimits)[];
