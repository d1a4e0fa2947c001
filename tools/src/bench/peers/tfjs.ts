import type { ReportedGpuBytes, RunnableSystem, SystemFactory } from '../bench-case.js';

/** The tfjs-core module, with the WebGPU backend active. */
export type Tfjs = typeof import('@tensorflow/tfjs-core');

/** A tensor of tfjs-core. */
export type TfjsTensor = import('@tensorflow/tfjs-core').Tensor;

/** What a tfjs implementation of a case provides. */
export interface TfjsProgram {
  /** Builds the output from host inputs, called inside `tf.tidy`: upload and compute of one run. */
  compute(): TfjsTensor;
  /** Tensors kept across runs (weights), disposed at the end. */
  readonly constants?: readonly TfjsTensor[];
}

/**
 * Loads tfjs-core with tfjs-backend-webgpu on the page's `navigator.gpu` (the shared Dawn GPU,
 * which `benchGpu()` must have installed first) and makes `webgpu` the active backend.
 */
export function loadTfjs(): Promise<Tfjs> {
  tfjs ??= importTfjs();
  return tfjs;
}

/**
 * A system running `build`'s tfjs program: each run uploads the inputs, computes, and reads the
 * output back with `data()`. Its reported GPU bytes are the most `tf.memory().numBytesInGPU` (bytes
 * of live tensors) reached, read at the end of each compute, when the run's tensors are all alive.
 * On dispose it also frees tfjs's pool of released buffers, so that the next case's tfjs system
 * starts from an empty pool and its measured peak is its own.
 */
export function tfjsSystem(build: (tf: Tfjs) => TfjsProgram): SystemFactory {
  return async (): Promise<RunnableSystem> => {
    const tf = await loadTfjs();
    const program = build(tf);
    let peakBytesInGpu: number | undefined;
    return {
      async run() {
        const output = tf.tidy(() => {
          const result = program.compute();
          const { numBytesInGPU } = tf.memory() as { numBytesInGPU?: number };
          if (numBytesInGPU !== undefined) peakBytesInGpu = Math.max(peakBytesInGpu ?? 0, numBytesInGPU);
          return result;
        });
        const data = await output.data<'float32'>();
        output.dispose();
        return data;
      },
      reportedGpuBytes: (): ReportedGpuBytes | undefined =>
        peakBytesInGpu === undefined
          ? undefined
          : { bytes: peakBytesInGpu, source: 'tf.memory().numBytesInGPU at the end of a run' },
      dispose() {
        for (const tensor of program.constants ?? []) tensor.dispose();
        releasePooledBuffers(tf);
      },
    };
  };
}

let tfjs: Promise<Tfjs> | undefined;

/** The part of tfjs-backend-webgpu's buffer manager that holds released buffers for reuse. */
interface PooledBuffers {
  freeBuffers?: Map<string, GPUBuffer[]>;
  numFreeBuffers?: number;
  numBytesAllocated?: number;
}

/** Destroys the buffers tfjs keeps for reuse (none in use); does nothing on a backend without a pool. */
function releasePooledBuffers(tf: Tfjs): void {
  const manager = (tf.backend() as { bufferManager?: PooledBuffers }).bufferManager;
  if (manager?.freeBuffers === undefined) return;
  for (const buffers of manager.freeBuffers.values()) {
    for (const buffer of buffers.splice(0)) {
      if (manager.numBytesAllocated !== undefined) manager.numBytesAllocated -= buffer.size;
      buffer.destroy();
    }
  }
  manager.numFreeBuffers = 0;
}

async function importTfjs(): Promise<Tfjs> {
  if ((globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu === undefined) {
    throw new Error('tfjs-backend-webgpu needs navigator.gpu: create the benchmark GPU first');
  }
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  // By default small ops on host data run on the CPU backend: every op here must run on the GPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialize');
  await tf.ready();
  return tf;
}
