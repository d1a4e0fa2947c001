import { InputError, UnsupportedError } from '@weft/ir';
import { type ModelPrecision, type ResolvedDevice, resolveModelDevice } from '@weft/models';
import { defaultHalfStorage } from '@weft/runtime';
import type { Command } from 'cac';
import { choiceOption } from '../option-values.js';

/** The `--precision` and `--half-storage` options of the commands that compile a model. */
export interface PrecisionFlags {
  /** `f32` (default), `f16` (needs `shader-f16`) or `f16-emulated`. */
  readonly precision?: string;
  /** `--half-storage` (true) or `--no-half-storage` (false); absent: the precision's default. */
  readonly halfStorage?: boolean;
}

/** The precision flags checked: what `compileModel` and `compileArchitecture` take. */
export interface PrecisionChoice {
  readonly precision?: ModelPrecision;
  readonly halfStorage?: boolean;
}

const PRECISIONS = ['f32', 'f16', 'f16-emulated'] as const;

/** Adds `--precision` and `--half-storage` (and its negation `--no-half-storage`) to `command`. */
export function withPrecisionOptions(command: Command): Command {
  return command
    .option(
      '--precision <precision>',
      'f32 (default), f16 (needs an adapter with shader-f16) or f16-emulated (the f16 rounding on any adapter)',
    )
    .option(
      '--half-storage',
      'Store intermediates and weights in 2 bytes an element (default with --precision f16; --no-half-storage turns it off)',
    );
}

/**
 * The precision flags checked, before anything is loaded or compiled.
 *
 * @throws InputError for a precision not in the list, or `--half-storage` at precision f32.
 */
export function checkPrecisionFlags(flags: PrecisionFlags): PrecisionChoice {
  const precision =
    flags.precision === undefined ? undefined : choiceOption('--precision', flags.precision, PRECISIONS);
  if (flags.halfStorage === true && (precision ?? 'f32') === 'f32') {
    throw new InputError('--half-storage needs --precision f16 or f16-emulated', {
      expected: '--precision f16 --half-storage, or --precision f16-emulated --half-storage',
      actual: `--precision ${precision ?? 'f32'}`,
    });
  }
  return {
    ...(precision === undefined ? {} : { precision }),
    ...(flags.halfStorage === undefined ? {} : { halfStorage: flags.halfStorage }),
  };
}

/**
 * The device to compile on (`--device auto` resolved to WebGPU or the CPU), checked against the
 * precision asked for: an f16 precision needs WebGPU (the CPU backend computes in float64), and
 * `--precision f16` an adapter with the `shader-f16` feature.
 *
 * @throws UnsupportedError naming the flag and the missing feature or backend.
 */
export async function deviceForPrecision(
  device: 'auto' | 'cpu',
  choice: PrecisionChoice,
): Promise<ResolvedDevice> {
  const resolved = await resolveModelDevice(device);
  const precision = choice.precision ?? 'f32';
  if (precision === 'f32') return resolved;
  if (resolved.device === 'cpu') {
    throw new UnsupportedError(`--precision ${precision} needs a WebGPU device`, {
      expected: '--device auto on a machine with a WebGPU adapter, or --precision f32',
      actual:
        resolved.fallbackReason === undefined
          ? '--device cpu (the CPU backend computes in float64)'
          : `the CPU backend (no WebGPU: ${resolved.fallbackReason})`,
    });
  }
  const gpu = 'device' in resolved.device ? resolved.device.device : resolved.device;
  if (precision === 'f16' && !gpu.features.has('shader-f16')) {
    const features = [...gpu.features].sort().join(', ') || 'none';
    if ('destroy' in resolved.device) resolved.device.destroy();
    throw new UnsupportedError(
      "--precision f16 needs an adapter with the 'shader-f16' feature; this one has none",
      {
        expected:
          "an adapter with 'shader-f16', or --precision f16-emulated (the same rounding in core WGSL)",
        actual: `features: ${features}`,
      },
    );
  }
  return resolved;
}

/**
 * The precision a program compiles with, in words (`precision f16-emulated, f16 storage of the
 * intermediates and weights`), with `compile`'s default storage filled in.
 */
export function describePrecision(choice: PrecisionChoice): string {
  const precision = choice.precision ?? 'f32';
  if (precision === 'f32') return 'precision f32';
  const half = choice.halfStorage ?? defaultHalfStorage(precision);
  return `precision ${precision}, ${half ? 'f16 storage of the intermediates and weights' : 'f32 storage'}`;
}
