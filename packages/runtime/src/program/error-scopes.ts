import { WeftError } from '@weft/ir';

/**
 * Runs `work` inside validation and out-of-memory error scopes, so that a WebGPU error raised by
 * it rejects the returned promise with a clear message instead of surfacing as an uncaught event.
 */
export async function withErrorScopes<T>(device: GPUDevice, work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await work();
  } finally {
    const validation = await device.popErrorScope();
    const outOfMemory = await device.popErrorScope();
    if (outOfMemory !== null) {
      throw new WeftError('gpu-out-of-memory', `the GPU ran out of memory: ${outOfMemory.message}`);
    }
    if (validation !== null) {
      throw new WeftError('gpu-validation', `WebGPU validation error: ${validation.message}`);
    }
  }
  return result;
}
