/**
 * `@weft/zoo/runner`: runs zoo entries on a device — the measurement behind `pnpm zoo` (kernels,
 * error against the float64 reference, median time), the f32 error budget behind
 * `pnpm zoo --budget`, and the device `pnpm zoo` acquires. The entries themselves (`@weft/zoo`)
 * build graphs only and import nothing device-related.
 *
 * @example
 * ```ts
 * import { findZooEntry } from '@weft/zoo';
 * import { measureZooEntry } from '@weft/zoo/runner';
 *
 * const result = await measureZooEntry(findZooEntry('layer-norm')!, { device: await requestWeftDevice() });
 * ```
 *
 * @packageDocumentation
 */

export * from '../measure/measure-interleaved.js';
export * from './measure-error-budget.js';
export * from './measure-zoo-entry.js';
export * from './zoo-device.js';
