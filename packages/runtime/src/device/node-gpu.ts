import { WeftError } from '@weft/ir';
import type { PlatformGpu } from './platform-gpu.js';
import { SWIFTSHADER_ICD } from './swiftshader-icd.js';

/** In Node (the `node` condition of `#platform-gpu`), the `GPU` comes from Dawn's binding. */
export const platformGpu: PlatformGpu = {
  source: 'node-dawn',
  create: () =>
    typeof process !== 'undefined' && process.versions?.node !== undefined ? createNodeGpu() : undefined,
};

const SYSTEM_ICD_FOLDERS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * Creates a `GPU` from Dawn's Node binding (npm `webgpu`). Unless the user chose Vulkan drivers
 * (`VK_ICD_FILENAMES` / `VK_DRIVER_FILES`), it offers Dawn every system driver except Mesa's
 * lavapipe (which Dawn rejects) plus SwiftShader when installed, so a hardware adapter wins where
 * one exists and SwiftShader serves everywhere else.
 */
export function createNodeGpu(): Promise<GPU> {
  // One Dawn instance per process, kept alive for good: adapters and devices must not outlive it,
  // and a collected instance takes its devices down with it.
  nodeGpu ??= createDawnGpu();
  return nodeGpu;
}

let nodeGpu: Promise<GPU> | undefined;

async function createDawnGpu(): Promise<GPU> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined) {
    const drivers = SYSTEM_ICD_FOLDERS.flatMap((folder) => {
      try {
        return fs
          .readdirSync(folder)
          .filter((file) => file.endsWith('.json') && !file.startsWith('lvp_'))
          .map((file) => path.join(folder, file));
      } catch {
        return [];
      }
    });
    if (fs.existsSync(SWIFTSHADER_ICD)) drivers.push(SWIFTSHADER_ICD);
    // The Vulkan loader reads this when Dawn creates its instance, i.e. after this point.
    if (drivers.length > 0) process.env.VK_ICD_FILENAMES = drivers.join(':');
  }
  let binding: typeof import('webgpu');
  try {
    binding = await import('webgpu');
  } catch (cause) {
    throw new WeftError(
      'no-webgpu',
      "WebGPU for Node needs Dawn's binding, the npm package `webgpu`: run `pnpm add webgpu` (or `npm install webgpu`)",
      {},
      { cause },
    );
  }
  // Dawn's binding expects its GPU* classes and enums as globals (as in a browser).
  for (const [name, value] of Object.entries(binding.globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  return binding.create([]);
}
