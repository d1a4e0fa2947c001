import {
  type FusionCostOverrides,
  float32ToFloat16Bits,
  type Graph,
  InputError,
  interpret,
  type MemoryPlan,
  makeGraph,
  maxElementCount,
  type Node,
  runPipeline,
  WeftError,
} from '@weft/ir';
import {
  fusionCostModelOf,
  type KernelExtension,
  type KernelPrecision,
  type SubgroupMatrixSupport,
} from '@weft/wgsl';
import { requestWeftDevice, type WeftDevice } from '../device/request-weft-device.js';
import { bufferLayout } from './buffer-layout.js';
import { CpuProgram } from './cpu-program.js';
import { deviceProfileOf } from './device-profile.js';
import { withErrorScopes } from './error-scopes.js';
import { generateKernels } from './generate-kernels.js';
import { GpuProgram } from './gpu-program.js';
import { type GraphSignature, graphSignature } from './graph-signature.js';
import { cachedPipeline } from './pipeline-cache.js';
import type { Program } from './program.js';
import { checkState } from './program-state.js';
import { arrayTypeFor, type TensorInput, toTypedArray } from './tensor-data.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * Where to run: a device from `requestWeftDevice`, a bare `GPUDevice`, `'cpu'` for the reference
   * interpreter, or `'auto'`: a WebGPU device when an adapter exists, else the CPU backend (the
   * program's `fallbackReason` says why).
   */
  readonly device: WeftDevice | GPUDevice | 'cpu' | 'auto';
  /** Values of the graph's parameters (`param` nodes), by name, in row-major order. */
  readonly params?: Readonly<Record<string, TensorInput>>;
  /** Fuse operations into shared kernels (default). `false` gives one kernel per op: the unfused baseline. */
  readonly fuse?: boolean;
  /** Let kernels use subgroup operations where the device has them. Default true. */
  readonly subgroups?: boolean;
  /**
   * Let the matmul use subgroup matrices where the device was created with Dawn's
   * `chromium-experimental-subgroup-matrix` and a configuration fits (see the performance guide).
   * Default true; they also need `subgroups`.
   */
  readonly subgroupMatrix?: boolean;
  /**
   * How kernels store and compute floats (default `f32`; see `DeviceProfile.precision` in
   * `@weft/wgsl`). `f16` is the f16 tier (needs a device created with `shader-f16`; an
   * `UnsupportedError` otherwise); `f16-emulated` computes the same rounding in f32 storage on any
   * device. Never chosen automatically. The CPU backend always computes in float64.
   */
  readonly precision?: KernelPrecision;
  /**
   * f16 storage (needs precision `f16` or `f16-emulated`, a `SpecError` otherwise; default on at
   * precision `f16`, off at `f16-emulated`: see `defaultHalfStorage`; `false` opts out): the f32
   * intermediates between kernels and the f32 parameters take 2 bytes per element, as `array<f16>`
   * at precision `f16` and as pairs packed in `u32` words at `f16-emulated` (the same bytes, on any
   * device). The parameters are given in f32 (`params`) and converted to f16 once, at upload. Graph
   * inputs and outputs stay f32: what `run` takes and returns is unchanged. The CPU backend ignores it.
   */
  readonly halfStorage?: boolean;
  /**
   * Persistent tensors, as `{ inputName: outputName }`: the input's buffer lives across runs (it may
   * be left out of `run`'s inputs, and starts as zeros), and after each run the output's value is
   * copied into it on the device — a KV cache or a recurrent state that never leaves the GPU.
   */
  readonly state?: Readonly<Record<string, string>>;
  /**
   * Extensions whose templates render the kernels of their ops: a graph with `attention` nodes
   * compiles for a GPU with `extensions: [attention]` (from `@weft/attention/kernels`). The CPU
   * backend needs none: it evaluates every node through its own op definition.
   */
  readonly extensions?: readonly KernelExtension[];
  /** Why the CPU backend was chosen, recorded on the program (used by callers that fell back). */
  readonly fallbackReason?: string;
  /**
   * Costs of this adapter measured by the caller (a dispatch, a byte, an op unit), replacing those
   * of the default table for a software or hardware adapter in the fusion planner's cost model
   * (see `fusionCostModelOf`). The program's `plan.decisions` show what the model decided.
   */
  readonly fusionCosts?: FusionCostOverrides;
}

/**
 * Compiles a graph into a {@link Program}: runs the IR pipeline (simplification, fusion, memory
 * planning), generates WGSL for each kernel, creates the pipelines (cached by source hash,
 * asynchronously and in parallel), allocates a read-only sources buffer and an arena from the memory
 * plan and uploads the parameters once.
 *
 * @example
 * ```ts
 * const seq = symbolicDim('seq', { max: 128 });
 * const x = input('x', [seq, 64]);
 * const graph = makeGraph({ y: elementwiseUnary('exp', x) });
 * const program = await compile(graph, { device: await requestWeftDevice() });
 * const { y } = await program.run({ x: new Float32Array(10 * 64).fill(0.5) }, { dims: { seq: 10 } });
 * ```
 */
export async function compile(graph: Graph, options: CompileOptions): Promise<Program> {
  if (options.device === 'auto') {
    const chosen = await autoDevice();
    return compile(graph, { ...options, ...chosen });
  }
  const signature = graphSignature(graph);
  const device =
    options.device === 'cpu'
      ? undefined
      : 'device' in options.device
        ? options.device.device
        : options.device;
  const alignment = device?.limits.minStorageBufferOffsetAlignment ?? 256;
  // Each output takes a storage binding; one more holds the (possibly packed) inputs.
  const maxKernelOutputs =
    device === undefined ? undefined : Math.max(1, device.limits.maxStorageBuffersPerShaderStage - 1);
  const profile =
    device === undefined
      ? undefined
      : deviceProfileOf(device, {
          ...(options.subgroups === undefined ? {} : { subgroups: options.subgroups }),
          ...(options.precision === undefined ? {} : { precision: options.precision }),
          ...(options.halfStorage === undefined ? {} : { halfStorage: options.halfStorage }),
          ...(options.device !== 'cpu' && 'adapter' in options.device
            ? { software: options.device.adapter.software }
            : {}),
          ...subgroupMatrixOption(options),
        });
  const {
    graph: optimized,
    plan,
    memory,
  } = runPipeline(graph, {
    fuse: options.fuse ?? true,
    alignment,
    ...(profile?.halfStorage === true ? { halfStorage: true } : {}),
    ...(maxKernelOutputs === undefined ? {} : { maxKernelOutputs }),
    ...(profile === undefined ? {} : { fusionCosts: fusionCostModelOf(profile, options.fusionCosts) }),
  });
  const params = checkParams(signature, options.params ?? {});
  const state = checkState(signature, optimized.outputs, options.state ?? {});

  if (device === undefined) {
    const float64Params = Object.fromEntries(
      Object.entries(params).map(([name, data]) => [name, Float64Array.from(data)]),
    );
    return new CpuProgram({
      graph: optimized,
      plan,
      memory,
      signature,
      params: float64Params,
      state,
      ...(options.fallbackReason === undefined ? {} : { fallbackReason: options.fallbackReason }),
    });
  }

  // Two buffers (see `BufferLayout`): source tensors, which kernels only read, bind `read`; the
  // arena's tensors bind `read_write`, as each dispatch writes its outputs to the arena.
  const kernels = generateKernels(plan, profile!, options.extensions);
  const layout = bufferLayout(memory);
  return withErrorScopes(device, async () => {
    const pipelines = await Promise.all(
      kernels.map((kernel) =>
        cachedPipeline(device, kernel.label, kernel.wgsl, kernel.entryPoint, kernel.bindings).catch(
          (error: unknown) => {
            throw new WeftError(
              'gpu-pipeline',
              `kernel ${kernel.kernel.id} "${kernel.label}" failed to compile: ${error instanceof Error ? error.message : String(error)}`,
              kernel.block === undefined ? {} : { block: kernel.block },
              { cause: error },
            );
          },
        ),
      ),
    );
    const sources = device.createBuffer({
      label: 'weft-sources',
      size: Math.max(16, layout.sourceBytes),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    const arena = device.createBuffer({
      label: 'weft-arena',
      size: Math.max(16, memory.arenaBytes - layout.arenaBase),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    uploadConstants(device, sources, memory, params);
    return new GpuProgram({
      device,
      graph: optimized,
      plan,
      memory,
      kernels,
      pipelines,
      arena,
      sources,
      layout,
      signature,
      outputs: optimized.outputs,
      state,
    });
  });
}

/** Checks that every parameter is given with the right element count, and no unknown ones. */
function checkParams(
  signature: GraphSignature,
  params: Readonly<Record<string, TensorInput>>,
): Record<string, ReturnType<typeof toTypedArray>> {
  for (const name of Object.keys(params)) {
    if (!signature.params.has(name)) {
      throw new InputError('unknown parameter', {
        tensor: name,
        expected: [...signature.params.keys()].join(', ') || 'no parameters',
        actual: name,
      });
    }
  }
  const checked: Record<string, ReturnType<typeof toTypedArray>> = Object.create(null);
  for (const [name, node] of signature.params) {
    const values = Object.hasOwn(params, name) ? params[name] : undefined;
    if (values === undefined)
      throw new InputError('missing parameter', {
        tensor: name,
        expected: `${maxElementCount(node.shape)} values`,
      });
    checked[name] = toTypedArray(name, values, node.dtype, maxElementCount(node.shape));
  }
  return checked;
}

/**
 * Writes parameters and materialized constants into their slots of the sources buffer, once; an
 * f16-stored parameter as its f16 bits (see `halfStoredTensors` in `@weft/ir`).
 */
function uploadConstants(
  device: GPUDevice,
  sources: GPUBuffer,
  memory: MemoryPlan,
  params: Record<string, ReturnType<typeof toTypedArray>>,
): void {
  for (const slot of memory.slots.values()) {
    if (slot.role === 'param') {
      const values = params[String(slot.node.attrs.name)]!;
      device.queue.writeBuffer(sources, slot.offset, slot.halfStored === true ? halfBits(values) : values);
    } else if (slot.role === 'const') {
      device.queue.writeBuffer(sources, slot.offset, constantValues(slot.node));
    }
  }
}

/** `values` as f16 bits, padded to whole 4-byte words (the slot's size; see `halfStoredBytes`). */
function halfBits(values: ArrayLike<number>): Uint16Array<ArrayBuffer> {
  const bits = new Uint16Array(Math.ceil(values.length / 2) * 2);
  for (let i = 0; i < values.length; i++) bits[i] = float32ToFloat16Bits(values[i]!);
  return bits;
}

/** A constant node's values at its dims' maxima, computed by the reference interpreter. */
function constantValues(node: Node): ArrayBufferView<ArrayBuffer> {
  const dims = Object.fromEntries(
    node.shape.flatMap((dim) => (typeof dim === 'number' ? [] : [[dim.name, dim.max]])),
  );
  const { value } = interpret(makeGraph({ value: node }), { inputs: {}, params: {}, dims });
  const ArrayType = arrayTypeFor(node.dtype);
  return ArrayType.from(value!.data);
}

/** A WebGPU device where an adapter exists; otherwise the CPU backend and the reason. */
async function autoDevice(): Promise<Pick<CompileOptions, 'device' | 'fallbackReason'>> {
  try {
    return { device: await requestWeftDevice() };
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== 'no-webgpu') throw error;
    return { device: 'cpu', fallbackReason: error.message };
  }
}

/** The subgroup-matrix option of `deviceProfileOf`: off, the adapter's configurations, or its default. */
function subgroupMatrixOption(options: CompileOptions): { subgroupMatrix?: SubgroupMatrixSupport | false } {
  if (options.subgroupMatrix === false || options.subgroups === false) return { subgroupMatrix: false };
  const device = options.device;
  if (typeof device === 'object' && 'adapter' in device && device.adapter.subgroupMatrix !== undefined) {
    return { subgroupMatrix: device.adapter.subgroupMatrix };
  }
  return {};
}
