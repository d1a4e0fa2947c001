import type { SubgroupMatrixConfig, SubgroupMatrixSupport } from '@weft/wgsl';

/**
 * Dawn's experimental feature name (src/dawn/node/interop/DawnExtensions.idl in the Dawn
 * repository); not in `@webgpu/types`. Dawn exposes it only with the `allow_unsafe_apis` toggle
 * (src/dawn/native/PhysicalDevice.cpp: experimental features are guarded by it).
 */
export const SUBGROUP_MATRIX_FEATURE = 'chromium-experimental-subgroup-matrix' as GPUFeatureName;

/** What Dawn's `GPUAdapterInfo` adds for the feature (`subgroupMatrixConfigs`), unknown to `@webgpu/types`. */
interface SubgroupMatrixAdapterInfo {
  readonly subgroupMaxSize?: number;
  readonly subgroupMatrixConfigs?: readonly Partial<SubgroupMatrixConfig>[];
}

/**
 * The subgroup-matrix support of a device, read from its adapter's info: undefined unless the
 * device has {@link SUBGROUP_MATRIX_FEATURE}, the info lists at least one configuration and gives
 * `subgroupMaxSize`. Each configuration is copied as Dawn reports it (no M, N or K is assumed);
 * f16 ones are dropped when the device lacks `shader-f16` (Dawn's feature document asks for
 * that filtering: docs/dawn/features/subgroup_matrix.md).
 */
export function subgroupMatrixSupportOf(
  device: GPUDevice,
  info: GPUAdapterInfo | undefined,
): SubgroupMatrixSupport | undefined {
  if (!device.features.has(SUBGROUP_MATRIX_FEATURE) || info === undefined) return undefined;
  const extended = info as GPUAdapterInfo & SubgroupMatrixAdapterInfo;
  const subgroupMaxSize = extended.subgroupMaxSize;
  if (typeof subgroupMaxSize !== 'number' || subgroupMaxSize < 1) return undefined;
  const shaderF16 = device.features.has('shader-f16');
  const configs = [...(extended.subgroupMatrixConfigs ?? [])]
    .filter(
      (config): config is SubgroupMatrixConfig =>
        typeof config.componentType === 'string' &&
        typeof config.resultComponentType === 'string' &&
        [config.M, config.N, config.K].every((size) => typeof size === 'number' && size > 0),
    )
    .filter((config) => shaderF16 || (config.componentType !== 'f16' && config.resultComponentType !== 'f16'))
    .map(({ componentType, resultComponentType, M, N, K }) => ({
      componentType,
      resultComponentType,
      M,
      N,
      K,
    }));
  return configs.length === 0 ? undefined : { configs, subgroupMaxSize };
}
