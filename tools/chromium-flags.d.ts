/**
 * Flags that give headless Chromium a WebGPU adapter without a GPU, and keep it off the network.
 * With `playwright: true`, leaves out the flags playwright sets itself (headless mode, profile folder).
 */
export function chromiumWebGpuArgs(options?: { playwright?: boolean }): string[];
