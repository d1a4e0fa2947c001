import type { PlatformGpu } from './platform-gpu.js';

/** Outside Node the only WebGPU is `navigator.gpu`: there is nothing to create. */
export const platformGpu: PlatformGpu = { source: 'node-dawn', create: () => undefined };
