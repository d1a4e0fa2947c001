import { WeftError } from '@weft/ir';

/**
 * Runs `work` inside validation and out-of-memory error scopes, so that a WebGPU error raised by
 * it rejects the returned promise with a clear message instead of surfacing as an uncaught event.
 * A WebGPU error wins over an error thrown by `work`: it is usually the cause.
 */
export async function withErrorScopes<T>(device: GPUDevice, work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const outcome = await work().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const validation = await device.popErrorScope();
  const outOfMemory = await device.popErrorScope();
  if (outOfMemory !== null)
    throw new WeftError('gpu-out-of-memory', `the GPU ran out of memory: ${outOfMemory.message}`);
  if (validation !== null) {
    // A pipeline that failed to compile names its kernel and block: keep that in front.
    const kernel =
      !outcome.ok && WeftError.isInstance(outcome.error) && outcome.error.code === 'gpu-pipeline'
        ? `${outcome.error.message}; `
        : '';
    throw new WeftError('gpu-validation', `${kernel}WebGPU validation error: ${validation.message}`);
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
