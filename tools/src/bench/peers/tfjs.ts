import type { RunnableSystem, SystemFactory } from '../bench-case.js';

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
 * output back with `data()`.
 */
export function tfjsSystem(build: (tf: Tfjs) => TfjsProgram): SystemFactory {
  return async (): Promise<RunnableSystem> => {
    const tf = await loadTfjs();
    const program = build(tf);
    return {
      async run() {
        const output = tf.tidy(() => program.compute());
        const data = await output.data<'float32'>();
        output.dispose();
        return data;
      },
      dispose() {
        for (const tensor of program.constants ?? []) tensor.dispose();
      },
    };
  };
}

let tfjs: Promise<Tfjs> | undefined;

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
