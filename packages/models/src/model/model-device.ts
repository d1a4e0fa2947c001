import { WeftError } from '@weft/ir';
import { type CompileOptions, requestWeftDevice, type WeftDevice } from '@weft/runtime';

/** `compile`'s `precision`: `f32`, `f16` or `f16-emulated` (see `CompileModelOptions.precision`). */
export type ModelPrecision = NonNullable<CompileOptions['precision']>;

/**
 * `compile`'s precision options as given, the absent ones left out so that `compile`'s defaults
 * apply (f16 storage on at precision `f16`).
 *
 * @example
 * ```ts
 * precisionOptions({ precision: 'f16' }); // { precision: 'f16' }: compile stores in f16 by default
 * ```
 */
export function precisionOptions(options: {
  readonly precision?: ModelPrecision;
  readonly halfStorage?: boolean;
}): { precision?: ModelPrecision; halfStorage?: boolean } {
  return {
    ...(options.precision === undefined ? {} : { precision: options.precision }),
    ...(options.halfStorage === undefined ? {} : { halfStorage: options.halfStorage }),
  };
}

/** A device chosen by {@link resolveModelDevice}, and why it is the CPU when it is. */
export interface ResolvedDevice {
  /** The device to compile for. */
  readonly device: WeftDevice | GPUDevice | 'cpu';
  /** Why the CPU backend was chosen (no adapter), when `'auto'` fell back. */
  readonly fallbackReason?: string;
}

/**
 * Resolves `'auto'` to a WebGPU device when an adapter exists, else to the CPU backend with the
 * reason; other devices pass through. Lets a caller show the adapter before compiling.
 *
 * @example
 * ```ts
 * const { device, fallbackReason } = await resolveModelDevice('auto');
 * ```
 */
export async function resolveModelDevice(
  device: WeftDevice | GPUDevice | 'cpu' | 'auto',
): Promise<ResolvedDevice> {
  if (device !== 'auto') return { device };
  try {
    return { device: await requestWeftDevice() };
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== 'no-webgpu') throw error;
    return { device: 'cpu', fallbackReason: error.message };
  }
}
