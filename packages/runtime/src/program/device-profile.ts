import { SpecError, UnsupportedError } from '@weft/ir';
import type { DeviceProfile, KernelPrecision, SubgroupMatrixSupport } from '@weft/wgsl';
import { SUBGROUP_MATRIX_FEATURE, subgroupMatrixSupportOf } from '../device/subgroup-matrix-support.js';

/** Options of {@link deviceProfileOf}. */
export interface DeviceProfileOptions {
  /** Let kernels use subgroup operations when the device has the feature (default true). */
  readonly subgroups?: boolean;
  /**
   * Whether the adapter is a CPU emulation (`WeftDevice.adapter.software`). Default: what the
   * device's `adapterInfo` says (a fallback adapter or SwiftShader), false when it says nothing.
   */
  readonly software?: boolean;
  /**
   * How kernels store and compute floats (default `f32`): `f16` needs the device's `shader-f16`
   * feature; `f16-emulated` runs anywhere (see `DeviceProfile.precision`).
   */
  readonly precision?: KernelPrecision;
  /**
   * Store the f32 intermediates between kernels and the f32 parameters in 2 bytes per element
   * (needs precision `f16` or `f16-emulated`; see `DeviceProfile.halfStorage`). Default: on at
   * precision `f16`, off at `f16-emulated` and `f32` (see {@link defaultHalfStorage}).
   */
  readonly halfStorage?: boolean;
  /**
   * Subgroup matrices for the matmul, on a device created with Dawn's
   * `chromium-experimental-subgroup-matrix`: `false` turns them off; a `SubgroupMatrixSupport`
   * gives the adapter's configurations (`WeftDevice.adapter.subgroupMatrix`, which `compile`
   * passes). Default: read from `device.adapterInfo` where it lists them (Dawn's Node binding
   * lists them on the adapter's `info` only). Never used on a device without the feature.
   */
  readonly subgroupMatrix?: SubgroupMatrixSupport | false;
}

/**
 * The code generator's view of a device: the limits that shape kernels, and the features it may use.
 *
 * @example
 * ```ts
 * const { device } = await requestWeftDevice();
 * const profile = deviceProfileOf(device); // the limits the kernel generator plans with
 * ```
 */
export function deviceProfileOf(device: GPUDevice, options: DeviceProfileOptions = {}): DeviceProfile {
  const limits = device.limits;
  const shaderF16 = device.features.has('shader-f16');
  const precision = options.precision ?? 'f32';
  if (precision === 'f16' && !shaderF16) {
    throw new UnsupportedError("precision 'f16' needs a device with the shader-f16 feature", {
      expected: "a device created with 'shader-f16', or precision 'f16-emulated'",
      actual: 'a device without shader-f16',
    });
  }
  const halfStorage = options.halfStorage ?? defaultHalfStorage(precision);
  if (halfStorage && precision === 'f32') {
    throw new SpecError('f16 storage (halfStorage) needs precision f16 or f16-emulated', {
      expected: "precision 'f16' (array<f16> storage) or 'f16-emulated' (f16 pairs in u32 words)",
      actual: "precision 'f32'",
    });
  }
  const subgroups = (options.subgroups ?? true) && device.features.has('subgroups');
  const subgroupSize = singleSubgroupSize(device);
  const subgroupMatrix =
    options.subgroupMatrix === false || !device.features.has('subgroups')
      ? undefined
      : device.features.has(SUBGROUP_MATRIX_FEATURE)
        ? (options.subgroupMatrix ?? subgroupMatrixSupportOf(device, adapterInfoOf(device)))
        : undefined;
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
    shaderF16,
    subgroups,
    ...(subgroups && subgroupSize !== undefined ? { subgroupSize } : {}),
    software: options.software ?? isSoftwareAdapter(device),
    ...(precision === 'f32' ? {} : { precision }),
    ...(halfStorage ? { halfStorage } : {}),
    ...(subgroupMatrix === undefined ? {} : { subgroupMatrix }),
  };
}

// `GPUDevice.adapterInfo` is recent; older implementations leave it out. So are its
// `isFallbackAdapter`, `subgroupMinSize` and `subgroupMaxSize`.
type RecentAdapterInfo = GPUAdapterInfo & {
  isFallbackAdapter?: boolean;
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
};

function adapterInfoOf(device: GPUDevice): RecentAdapterInfo | undefined {
  return (device as { adapterInfo?: RecentAdapterInfo }).adapterInfo;
}

/**
 * Whether f16 storage is on when the caller does not say: at precision `f16` (real `shader-f16`),
 * yes, since `array<f16>` bindings halve the bytes every kernel moves at no cost in accuracy (the
 * kernels round to f16 at each load and store either way). At `f16-emulated`, no: its packed
 * stores take two atomics an element, slower than the f32 stores it replaces (measured in the
 * performance guide), and the emulation exists to test the f16 numerics, which f32 storage keeps.
 * Never at `f32`.
 *
 * @example
 * ```ts
 * defaultHalfStorage('f16'); // true
 * defaultHalfStorage('f16-emulated'); // false
 * ```
 */
export function defaultHalfStorage(precision: KernelPrecision): boolean {
  return precision === 'f16';
}

function isSoftwareAdapter(device: GPUDevice): boolean {
  const info = adapterInfoOf(device);
  return info?.isFallbackAdapter === true || info?.architecture === 'swiftshader';
}

// The subgroup size where the adapter reports exactly one.
function singleSubgroupSize(device: GPUDevice): number | undefined {
  const info = adapterInfoOf(device);
  const min = info?.subgroupMinSize;
  return min !== undefined && min > 0 && min === info?.subgroupMaxSize ? min : undefined;
}
