import { WeftError } from '@weft/ir';
import { type AdapterDescription, formatAdapter, requestWeftDevice, type WeftDevice } from '@weft/runtime';

/** The device `pnpm zoo` runs on, and how to describe it. */
export interface ZooDevice {
  /** A WebGPU device, or `'cpu'` for the reference backend. */
  readonly device: WeftDevice | 'cpu';
  /** The adapter, when a WebGPU device was acquired. */
  readonly adapter?: AdapterDescription;
  /** One line naming the device, or saying why the CPU backend runs instead. */
  readonly summary: string;
}

/**
 * A WebGPU device from `requestWeftDevice`, or the CPU reference backend when `cpu` is set or no
 * adapter exists (the summary then carries the reason). Errors other than a missing adapter propagate.
 */
export async function acquireZooDevice(cpu: boolean): Promise<ZooDevice> {
  if (cpu) return { device: 'cpu', summary: 'CPU reference backend (--cpu)' };
  try {
    const weft = await requestWeftDevice();
    return { device: weft, adapter: weft.adapter, summary: `WebGPU: ${formatAdapter(weft.adapter)}` };
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== 'no-webgpu') throw error;
    return { device: 'cpu', summary: `CPU reference backend: no WebGPU device (${error.message})` };
  }
}
