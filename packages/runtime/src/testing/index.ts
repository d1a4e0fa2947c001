/**
 * Test helpers for code that runs on a real WebGPU device (`@weft/runtime/test`).
 *
 * @packageDocumentation
 */
import { requestWeftDevice, type WeftDevice, type WeftDeviceOptions } from '../device/request-weft-device.js';

const devices = new Map<string, Promise<WeftDevice>>();

/**
 * One shared device per test process (per distinct options): creating a device per test is slow on
 * SwiftShader, and tests must not depend on each other's buffers, so programs are destroyed by the
 * tests but the device stays.
 *
 * @example
 * ```ts
 * const { device } = await getTestDevice();
 * ```
 */
export function getTestDevice(options: WeftDeviceOptions = {}): Promise<WeftDevice> {
  const key = JSON.stringify(options);
  let device = devices.get(key);
  if (device === undefined) {
    device = requestWeftDevice(options);
    devices.set(key, device);
  }
  return device;
}
export * from './expect-matches-reference.js';
