import type { SubgroupMatrixSupport } from '@weft/wgsl';

/** What Weft learned about the adapter a device was created on. */
export interface AdapterDescription {
  /** Where WebGPU came from: the page's `navigator.gpu`, Dawn's Node binding, or an explicitly given `GPU`. */
  readonly source: 'browser' | 'node-dawn' | 'provided';
  /** Adapter vendor (`nvidia`, `google`, ...); empty when the implementation hides it. */
  readonly vendor: string;
  /** Adapter architecture (`swiftshader`, `hopper`, ...); empty when hidden. */
  readonly architecture: string;
  /** Device name or description, when available. */
  readonly description: string;
  /** Whether this is a software (CPU-emulated) adapter such as SwiftShader: compare timings only within one run. */
  readonly software: boolean;
  /** Features enabled on the device. */
  readonly features: readonly string[];
  /** Limits the device was created with (the adapter's maxima for the limits Weft uses). */
  readonly limits: Readonly<Record<string, number>>;
  /**
   * The subgroup-matrix configurations and `subgroupMaxSize` of the adapter (`adapter.info`), when
   * the device was created with Dawn's `chromium-experimental-subgroup-matrix`; absent otherwise.
   * f16 configurations are left out unless the device has `shader-f16`.
   */
  readonly subgroupMatrix?: SubgroupMatrixSupport;
}

/**
 * A one-line text form: `google swiftshader (software), features: subgroups, timestamp-query`.
 *
 * @example
 * ```ts
 * const { adapter } = await requestWeftDevice();
 * console.log(formatAdapter(adapter)); // e.g. google swiftshader (software) via node-dawn, features: ...
 * ```
 */
export function formatAdapter(adapter: AdapterDescription): string {
  const name = [adapter.vendor, adapter.architecture, adapter.description]
    .filter((part) => part !== '')
    .join(' ');
  const kind = adapter.software ? ' (software)' : '';
  return `${name === '' ? 'unknown adapter' : name}${kind} via ${adapter.source}, features: ${adapter.features.join(', ') || 'none'}`;
}
