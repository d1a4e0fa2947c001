/**
 * Counts compute dispatches issued through WebGPU by any system in the process (Weft, tfjs,
 * onnxruntime-web): wraps `GPUComputePassEncoder.prototype.dispatchWorkgroups` and
 * `dispatchWorkgroupsIndirect` once, after the `GPU*` globals exist.
 */
export function installDispatchCounter(): void {
  if (installed) return;
  installed = true;
  const prototype = GPUComputePassEncoder.prototype as unknown as Record<
    string,
    (...args: unknown[]) => void
  >;
  for (const method of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
    const original = prototype[method];
    if (original === undefined) continue;
    prototype[method] = function (this: GPUComputePassEncoder, ...args: unknown[]) {
      dispatches++;
      return original.apply(this, args);
    };
  }
}

/** Runs `action` and returns its result with the number of compute dispatches issued meanwhile. */
export async function countDispatches<T>(
  action: () => Promise<T>,
): Promise<{ result: T; dispatches: number }> {
  if (!installed) throw new Error('countDispatches: call installDispatchCounter() first');
  const before = dispatches;
  const result = await action();
  return { result, dispatches: dispatches - before };
}

let installed = false;
let dispatches = 0;
