import { type Graph, graphNodes, interpret, resolveShape, stridesOf, WeftError } from '@weft/ir';
import { compile, formatAdapter, requestWeftDevice, type WeftDevice } from '@weft/runtime';
import { maxRelativeError, ZOO_EXTENSIONS } from '@weft/zoo';
import { isTypeScriptModule } from '../document/document-language.js';
import { parsePlaygroundDocument } from '../document/playground-document.js';
import { buildInstance } from '../instance/build-instance.js';
import type { InstanceData } from '../instance/playground-instance.js';
import { typescriptDocument } from '../typescript/spec-document.js';
import type { AnalysisResult, HeatMap } from './analysis-result.js';
import { maskTiles } from './mask-tiles.js';
import { planSummary } from './plan-summary.js';

/** Where specs run: a WebGPU device, or the CPU reference backend and why. */
export type Backend = { readonly device: WeftDevice } | { readonly cpuReason: string };

/**
 * The backend of this page: a WebGPU device where the browser has an adapter, else the CPU
 * reference backend with the reason; `forceCpu` picks the CPU backend without asking.
 */
export async function acquireBackend(forceCpu: boolean): Promise<Backend> {
  if (forceCpu) return { cpuReason: 'the CPU reference backend was chosen (?backend=cpu)' };
  try {
    return { device: await requestWeftDevice() };
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== 'no-webgpu') throw error;
    return { cpuReason: `this browser has no WebGPU, so the CPU reference backend runs: ${error.message}` };
  }
}

/**
 * Compiles the editor's text (a JSON document or a TypeScript spec module) on `backend` and measures what the page shows: the plan and WGSL,
 * one run (outputs poisoned with NaN first) against the float64 reference interpreter, a profiled
 * run, the mask's tile map and a heat map (attention weights where the spec is attention).
 *
 * @throws SpecError (or another WeftError) when the text is not a spec that compiles.
 */
export async function analyzeSpec(text: string, backend: Backend): Promise<AnalysisResult> {
  const document = isTypeScriptModule(text)
    ? await typescriptDocument(text, (await import('../typescript/spec-modules.js')).PLAYGROUND_SPEC_MODULES)
    : parsePlaygroundDocument(text);
  const instance = buildInstance(document);
  const device = 'device' in backend ? backend.device : 'cpu';
  const program = await compile(instance.graph, {
    device,
    params: instance.params,
    extensions: ZOO_EXTENSIONS,
    ...('cpuReason' in backend ? { fallbackReason: backend.cpuReason } : {}),
  });
  try {
    const outputs = await program.run(instance.inputs, { dims: instance.dims, poisonOutputs: true });
    const reference = interpret(instance.graph, instance);
    let error = 0;
    for (const [name, expected] of Object.entries(reference)) {
      const actual = outputs[name];
      const outputError = actual === undefined ? Number.NaN : maxRelativeError(actual.data, expected.data);
      error = Number.isNaN(outputError) || Number.isNaN(error) ? Number.NaN : Math.max(error, outputError);
    }
    const profile = await program.profile(instance.inputs, { dims: instance.dims });
    const { kernels, tensors } = planSummary(
      program.plan,
      program.kernels.map((kernel) => kernel.wgsl),
    );
    const heatMap =
      instance.weights === undefined
        ? firstOutputHeatMap(outputs)
        : await weightsHeatMap(instance.weights, device);
    return {
      title: instance.title,
      backend: program.backend,
      device: 'device' in backend ? formatAdapter(backend.device.adapter) : backend.cpuReason,
      kernels,
      tensors,
      arenaBytes: program.memory.arenaBytes,
      maxRelativeError: error,
      ...(instance.tolerance === undefined ? {} : { tolerance: instance.tolerance }),
      ...(profile.gpuTimed ? { kernelMs: profile.kernels.map((kernel) => kernel.gpuMs ?? 0) } : {}),
      wallMs: profile.wallMs,
      ...(instance.mask === undefined
        ? {}
        : {
            maskTiles: maskTiles(
              instance.mask.mask,
              instance.mask.queries,
              instance.mask.keys,
              tensorReader(instance.graph, instance),
            ),
          }),
      ...(heatMap === undefined ? {} : { heatMap }),
    };
  } finally {
    program.destroy();
  }
}

/** Runs the identity-value graph: its output `[1, heads, queries, keys]` is the attention weights. */
async function weightsHeatMap(
  weights: { readonly graph: Graph } & InstanceData,
  device: WeftDevice | 'cpu',
): Promise<HeatMap> {
  const program = await compile(weights.graph, {
    device,
    params: weights.params,
    extensions: ZOO_EXTENSIONS,
  });
  try {
    const { output } = await program.run(weights.inputs, { dims: weights.dims, outputs: ['output'] });
    const [, heads, rows, columns] = output!.shape as [number, number, number, number];
    return {
      title: 'attention weights (rows: queries, columns: keys)',
      rows,
      columns,
      heads,
      values: Float32Array.from(output!.data),
    };
  } finally {
    program.destroy();
  }
}

/** The first output's leading matrix (its last two axes at index 0 of the others). */
function firstOutputHeatMap(
  outputs: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>>,
): HeatMap | undefined {
  const [name, tensor] = Object.entries(outputs)[0] ?? [];
  if (name === undefined || tensor === undefined) return undefined;
  const shape = tensor.shape;
  const columns = shape[shape.length - 1] ?? 1;
  const rows = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  return {
    title: `output "${name}" (first ${rows} × ${columns} slice)`,
    rows,
    columns,
    values: Float32Array.from(Array.prototype.slice.call(tensor.data, 0, rows * columns) as number[]),
  };
}

/** Reads element `index` of an input or parameter of `graph`, for masks that read tensors. */
function tensorReader(
  graph: Graph,
  data: InstanceData,
): (tensor: string, index: readonly number[]) => number {
  const shapes = new Map(
    graphNodes(graph)
      .filter((node) => node.op === 'input' || node.op === 'param')
      .map((node) => [String(node.attrs.name), resolveShape(node.shape, data.dims)]),
  );
  return (tensor, index) => {
    const values = data.inputs[tensor] ?? data.params[tensor];
    const shape = shapes.get(tensor);
    if (values === undefined || shape === undefined) return Number.NaN;
    const strides = stridesOf(shape);
    return values[index.reduce((offset, position, axis) => offset + position * strides[axis]!, 0)]!;
  };
}
