import type { RunnableSystem, SystemFactory } from '../bench-case.js';
import { requestDeviceWithoutSubgroups } from './request-device-without-subgroups.js';

/**
 * Which onnxruntime-web build: `jsep` is `onnxruntime-web/all` (its JavaScript WebGPU kernels,
 * "JSEP"); `webgpu` is `onnxruntime-web/webgpu` (the C++ WebGPU execution provider compiled to wasm).
 */
export type OrtBuild = 'jsep' | 'webgpu';

/** The onnxruntime-web module (both builds share one API). */
export type Ort = typeof import('onnxruntime-web/all');

/** A float32 model input: values and dimensions. */
export interface OrtFeed {
  /** Values, row-major. */
  readonly data: Float32Array;
  /** Dimensions. */
  readonly dims: readonly number[];
}

/**
 * Loads an onnxruntime-web build on the page's `navigator.gpu` (the shared Dawn GPU, which
 * `benchGpu()` must have installed first), single-threaded, with its WebGPU adapter taken from that
 * GPU. Each build is loaded once per process; the two can coexist.
 */
export function loadOrt(build: OrtBuild): Promise<Ort> {
  let loaded = builds.get(build);
  if (loaded === undefined) {
    loaded = importOrt(build);
    builds.set(build, loaded);
  }
  return loaded;
}

/** How an onnxruntime-web system gets its GPU device. */
export interface OrtSystemOptions {
  /**
   * Run on a device of the same adapter that has no subgroup feature (see
   * {@link requestDeviceWithoutSubgroups}) instead of the device the build creates for itself.
   * Only the `webgpu` build takes a device per session.
   */
  readonly hideSubgroups?: boolean;
}

/**
 * A system running an ONNX model on an onnxruntime-web build's WebGPU execution provider. Each run
 * passes host tensors (uploaded by ORT) and gets the output back on the host.
 */
export function ortSystem(
  build: OrtBuild,
  model: Uint8Array,
  feeds: Readonly<Record<string, OrtFeed>>,
  outputName: string,
  options: OrtSystemOptions = {},
): SystemFactory {
  return async (): Promise<RunnableSystem> => {
    const ort = await loadOrt(build);
    if (options.hideSubgroups === true && build !== 'webgpu')
      throw new Error(`onnxruntime-web (${build}): only the webgpu build takes a device without subgroups`);
    const device = options.hideSubgroups === true ? await deviceWithoutSubgroups() : undefined;
    const session = await ort.InferenceSession.create(model, {
      executionProviders: [device === undefined ? 'webgpu' : { name: 'webgpu', device }],
      graphOptimizationLevel: 'all',
    });
    return {
      async run() {
        const inputs = Object.fromEntries(
          Object.entries(feeds).map(([name, feed]) => [
            name,
            new ort.Tensor('float32', feed.data, [...feed.dims]),
          ]),
        );
        const outputs = await session.run(inputs);
        const output = outputs[outputName];
        if (output === undefined)
          throw new Error(`onnxruntime-web (${build}): the model has no output "${outputName}"`);
        const data = output.data as Float32Array;
        for (const tensor of Object.values(outputs)) tensor.dispose();
        return data;
      },
      dispose: () => session.release(),
    };
  };
}

/** The features of the device without subgroups, once an onnxruntime-web session ran on it. */
export async function ortDeviceWithoutSubgroupsFeatures(): Promise<readonly string[]> {
  if (withoutSubgroups === undefined) return [];
  return [...(await withoutSubgroups).features].sort();
}

/** The features of the device an onnxruntime-web build created for itself, once it ran a session. */
export async function ortDeviceFeatures(build: OrtBuild): Promise<readonly string[]> {
  const loaded = builds.get(build);
  if (loaded === undefined) return [];
  const device = (await (await loaded).env.webgpu.device) as GPUDevice;
  return [...device.features].sort();
}

const builds = new Map<OrtBuild, Promise<Ort>>();

let withoutSubgroups: Promise<GPUDevice> | undefined;

// One device for every case: the build registers each device it is given once, for the process.
function deviceWithoutSubgroups(): Promise<GPUDevice> {
  withoutSubgroups ??= (async () => {
    const adapter = await benchNavigatorGpu().requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) throw new Error('onnxruntime-web: the benchmark GPU has no adapter');
    return requestDeviceWithoutSubgroups(adapter, 'ort-webgpu-nosubgroups');
  })();
  return withoutSubgroups;
}

function benchNavigatorGpu(): GPU {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined)
    throw new Error('onnxruntime-web needs navigator.gpu: create the benchmark GPU first');
  return gpu;
}

async function importOrt(build: OrtBuild): Promise<Ort> {
  const gpu = benchNavigatorGpu();
  const ort: Ort =
    build === 'jsep' ? await import('onnxruntime-web/all') : await import('onnxruntime-web/webgpu');
  // Worker threads would add their own scheduling noise; the GPU does the work here.
  ort.env.wasm.numThreads = 1;
  // In the browser page of `pnpm bench --browser` the wasm files are served from a folder of their own.
  const wasmPaths = (globalThis as { weftOrtWasmPaths?: string }).weftOrtWasmPaths;
  if (wasmPaths !== undefined) ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.logLevel = 'error';
  // The same adapter Weft uses; ORT then creates its own device with the features it wants.
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter !== null) ort.env.webgpu.adapter = adapter as never;
  return ort;
}
