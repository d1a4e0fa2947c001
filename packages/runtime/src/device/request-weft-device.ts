import { WeftError } from '@weft/ir';
import { platformGpu } from '#platform-gpu';
import type { AdapterDescription } from './adapter-description.js';
import { SUBGROUP_MATRIX_FEATURE, subgroupMatrixSupportOf } from './subgroup-matrix-support.js';
import { SWIFTSHADER_ICD } from './swiftshader-icd.js';

/** Options of {@link requestWeftDevice}. */
export interface WeftDeviceOptions {
  /** Use this `GPU` instead of `navigator.gpu` or Dawn (e.g. one you created yourself). */
  readonly gpu?: GPU;
  /** Adapter preference. Default `high-performance` (a discrete GPU where several exist). */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Features to enable when the adapter has them. Default: `timestamp-query`, `subgroups`,
   * `shader-f16` and Dawn's `chromium-experimental-subgroup-matrix` (which Dawn offers only with its
   * `allow_unsafe_apis` toggle). Pass `[]` to test the paths that need none.
   */
  readonly optionalFeatures?: readonly GPUFeatureName[];
  /** Features the device must have; a missing one is an error. Default none. */
  readonly requiredFeatures?: readonly GPUFeatureName[];
  /** Device label, shown in validation messages. Default `weft`. */
  readonly label?: string;
}

/** A device with the facts about its adapter. */
export interface WeftDevice {
  /** The WebGPU device. */
  readonly device: GPUDevice;
  /** What the adapter is and what the device was created with. */
  readonly adapter: AdapterDescription;
  /** Destroys the device (frees its memory; pending work is abandoned). */
  destroy(): void;
}

/** Limits Weft raises to the adapter's maximum when offered (bigger workgroups, more bindings, larger buffers). */
const LIMITS_TO_RAISE = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
] as const;

const DEFAULT_OPTIONAL_FEATURES: readonly GPUFeatureName[] = [
  'timestamp-query',
  'subgroups',
  'shader-f16',
  SUBGROUP_MATRIX_FEATURE,
];

/**
 * Acquires a WebGPU device: in a browser from `navigator.gpu`; in Node from Dawn's binding (npm
 * `webgpu`), preferring a hardware adapter and falling back to SwiftShader's Vulkan driver. Requests
 * the adapter's higher limits and the optional features it offers.
 *
 * Throws a `WeftError` with code `no-webgpu` saying what is missing and which command installs it
 * when no adapter exists.
 *
 * @example
 * ```ts
 * const { device, adapter } = await requestWeftDevice();
 * console.log(formatAdapter(adapter));
 * ```
 */
export async function requestWeftDevice(options: WeftDeviceOptions = {}): Promise<WeftDevice> {
  const { gpu, source } = await locateGpu(options.gpu);
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (adapter === null) throw noAdapterError(source);

  const wanted = options.optionalFeatures ?? DEFAULT_OPTIONAL_FEATURES;
  const required = options.requiredFeatures ?? [];
  const missing = required.filter((feature) => !adapter.features.has(feature));
  if (missing.length > 0) {
    throw new WeftError('no-webgpu', `the adapter lacks required WebGPU feature(s) ${missing.join(', ')}`, {
      expected: required,
      actual: [...adapter.features],
    });
  }
  const features = [...new Set([...required, ...wanted.filter((feature) => adapter.features.has(feature))])];
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS_TO_RAISE) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const device = await adapter.requestDevice({
    label: options.label ?? 'weft',
    requiredFeatures: features,
    requiredLimits,
  });
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of LIMITS_TO_RAISE) limits[name] = device.limits[name];
  limits.minStorageBufferOffsetAlignment = device.limits.minStorageBufferOffsetAlignment;
  const architecture = info.architecture ?? '';
  // Dawn's Node binding lists the configurations in `adapter.info` only (not `device.adapterInfo`).
  const subgroupMatrix = subgroupMatrixSupportOf(device, info);
  return {
    device,
    adapter: {
      source,
      vendor: info.vendor ?? '',
      architecture,
      description: info.description ?? info.device ?? '',
      software:
        architecture === 'swiftshader' ||
        (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
      features: [...device.features].sort(),
      limits,
      ...(subgroupMatrix === undefined ? {} : { subgroupMatrix }),
    },
    destroy: () => device.destroy(),
  };
}

async function locateGpu(
  provided: GPU | undefined,
): Promise<{ gpu: GPU; source: AdapterDescription['source'] }> {
  if (provided !== undefined) return { gpu: provided, source: 'provided' };
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browserGpu !== undefined) return { gpu: browserGpu, source: 'browser' };
  const created = platformGpu.create();
  if (created !== undefined) return { gpu: await created, source: platformGpu.source };
  throw new WeftError(
    'no-webgpu',
    'this environment has no WebGPU (`navigator.gpu` is undefined): use a browser with WebGPU enabled, or Node with the `webgpu` package',
  );
}

function noAdapterError(source: AdapterDescription['source']): WeftError {
  if (source === 'node-dawn') {
    return new WeftError(
      'no-webgpu',
      `no WebGPU adapter: Dawn found no usable Vulkan driver. Without a GPU, install SwiftShader's driver with ` +
        `\`sudo apt-get install -y chromium libvulkan1\` (Debian/Ubuntu; it provides ${SWIFTSHADER_ICD}), ` +
        'or run `bash tools/setup`. With a GPU, install its Vulkan driver and `libvulkan1`.',
    );
  }
  return new WeftError(
    'no-webgpu',
    'no WebGPU adapter: the browser exposes navigator.gpu but offers no adapter (is WebGPU enabled for this GPU?)',
  );
}
