import type { KernelBinding } from '@weft/wgsl';
import { bindGroupLayoutEntries } from './bind-group-layout.js';
import { structuralPipelineKey } from './pipeline-key.js';

/**
 * Most compute pipelines kept per device. The least recently used one is dropped beyond it (a
 * program holds its own pipelines, so dropping one from the cache only means a later program with
 * the same kernel compiles it again). 256 pipelines cover the kernels of several models.
 */
export const PIPELINE_CACHE_SIZE = 256;

const cachesByDevice = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/**
 * Compute pipelines by the structure of their WGSL source and entry point, per device
 * (`structuralPipelineKey`: comments and storage-variable names left out): a kernel that two
 * programs (or two compilations of one model) share is compiled once, and so is a kernel repeated
 * under other names (each layer of a decoder), which then runs the pipeline, and carries the label,
 * of the first one compiled. Creation is asynchronous
 * so that many pipelines compile in parallel. The cache is a least-recently-used map of at most
 * {@link PIPELINE_CACHE_SIZE} pipelines per device. The pipeline's layout holds every binding the
 * kernel declares (`bindings`), read or not; the WGSL's declarations fix the bindings, so the key
 * needs nothing more.
 */
export function cachedPipeline(
  device: GPUDevice,
  label: string,
  wgsl: string,
  entryPoint: string,
  bindings: readonly KernelBinding[],
): Promise<GPUComputePipeline> {
  let cache = cachesByDevice.get(device);
  if (cache === undefined) {
    cache = new Map();
    cachesByDevice.set(device, cache);
  }
  const key = structuralPipelineKey(wgsl, entryPoint);
  let pipeline = cache.get(key);
  if (pipeline !== undefined) {
    // Most recently used last: Map iteration follows insertion order.
    cache.delete(key);
    cache.set(key, pipeline);
    return pipeline;
  }
  const module = device.createShaderModule({ label, code: wgsl });
  const bindGroupLayout = device.createBindGroupLayout({
    label,
    entries: bindGroupLayoutEntries(bindings),
  });
  const created = device.createComputePipelineAsync({
    label,
    layout: device.createPipelineLayout({ label, bindGroupLayouts: [bindGroupLayout] }),
    compute: { module, entryPoint },
  });
  pipeline = created;
  // A failed compilation must not poison the cache for a later, fixed attempt.
  const owner = cache;
  created.catch(() => {
    if (owner.get(key) === created) owner.delete(key);
  });
  cache.set(key, created);
  while (cache.size > PIPELINE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return pipeline;
}

/** Number of distinct pipelines cached for `device` (for tests and profiling). */
export function cachedPipelineCount(device: GPUDevice): number {
  return cachesByDevice.get(device)?.size ?? 0;
}
