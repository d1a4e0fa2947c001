import { fnv1a64 } from '@weft/ir';

const cachesByDevice = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/**
 * Compute pipelines by the hash of their WGSL source and entry point, per device: a kernel that
 * two programs (or two compilations of one model) share is compiled once. Creation is asynchronous
 * so that many pipelines compile in parallel.
 */
export function cachedPipeline(
  device: GPUDevice,
  label: string,
  wgsl: string,
  entryPoint: string,
): Promise<GPUComputePipeline> {
  let cache = cachesByDevice.get(device);
  if (cache === undefined) {
    cache = new Map();
    cachesByDevice.set(device, cache);
  }
  const key = `${fnv1a64(wgsl)}:${entryPoint}`;
  let pipeline = cache.get(key);
  if (pipeline === undefined) {
    const module = device.createShaderModule({ label, code: wgsl });
    pipeline = device.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint } });
    // A failed compilation must not poison the cache for a later, fixed attempt.
    pipeline.catch(() => cache.delete(key));
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** Number of distinct pipelines cached for `device` (for tests and profiling). */
export function cachedPipelineCount(device: GPUDevice): number {
  return cachesByDevice.get(device)?.size ?? 0;
}
