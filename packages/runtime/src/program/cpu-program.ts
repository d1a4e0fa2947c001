import {
  elementCount,
  type Graph,
  InputError,
  interpret,
  type KernelPlan,
  type MemoryPlan,
  maxElementCount,
  resolveShape,
  type Tensor64,
  UnsupportedError,
  WeftError,
} from '@weft/ir';
import { checkDims, checkIndexValues, checkInputNames, type GraphSignature } from './graph-signature.js';
import { kernelStats } from './kernel-stats.js';
import type { GpuTensorLocation, ProfileResult, Program, ProgramStats, RunOptions } from './program.js';
import type { StatePair } from './program-state.js';
import {
  arrayTypeFor,
  checkInputRecord,
  type TensorInput,
  type TensorResult,
  toTypedArray,
} from './tensor-data.js';

/** What a CPU program is made of; built by `compile`. */
export interface CpuProgramParts {
  readonly graph: Graph;
  readonly plan: KernelPlan;
  readonly memory: MemoryPlan;
  readonly signature: GraphSignature;
  readonly params: Readonly<Record<string, Float64Array>>;
  readonly state: readonly StatePair[];
  readonly fallbackReason?: string;
}

/**
 * The embedded default backend: the same {@link Program} API on the float64 reference interpreter,
 * for machines without a WebGPU adapter. Results are rounded to f32 like the GPU's.
 */
export class CpuProgram implements Program {
  readonly backend = 'cpu' as const;
  readonly fallbackReason?: string;
  readonly graph: Graph;
  readonly plan: KernelPlan;
  readonly memory: MemoryPlan;
  readonly kernels = [] as const;
  readonly stats: ProgramStats;
  readonly #signature: GraphSignature;
  readonly #params: Readonly<Record<string, Float64Array>>;
  readonly #state: readonly StatePair[];
  readonly #stateValues = new Map<string, Float64Array>();
  #destroyed = false;

  constructor(parts: CpuProgramParts) {
    this.graph = parts.graph;
    this.plan = parts.plan;
    this.memory = parts.memory;
    this.#signature = parts.signature;
    this.#params = parts.params;
    this.#state = parts.state;
    this.resetState();
    if (parts.fallbackReason !== undefined) this.fallbackReason = parts.fallbackReason;
    this.stats = {
      kernels: parts.plan.kernels.length,
      dispatchesPerRun: 0,
      arenaBytes: 0,
      unsharedBytes: parts.memory.unsharedBytes,
      perKernel: parts.plan.kernels.map(kernelStats),
    };
  }

  async run(
    inputs: Readonly<Record<string, TensorInput>>,
    options: RunOptions = {},
  ): Promise<Record<string, TensorResult>> {
    this.#checkLive('run');
    checkInputRecord(inputs);
    const dims = checkDims(this.#signature, options.dims);
    checkInputNames(this.#signature, Object.keys(inputs), new Set(this.#stateValues.keys()));
    const selected = options.outputs ?? Object.keys(this.graph.outputs);
    for (const name of selected) {
      if (this.graph.outputs[name] === undefined) {
        throw new InputError('unknown output', {
          tensor: name,
          expected: Object.keys(this.graph.outputs).join(', '),
          actual: name,
        });
      }
    }
    const values: Record<string, Float64Array> = Object.create(null);
    for (const [name, node] of this.#signature.inputs) {
      const count = elementCount(resolveShape(node.shape, dims));
      const given = Object.hasOwn(inputs, name) ? inputs[name] : undefined;
      // A state input keeps its full (maximum-size) buffer, as on the GPU; the run reads its prefix.
      if (given === undefined) {
        values[name] = this.#stateValues.get(name)!.subarray(0, count);
      } else {
        const data = toTypedArray(name, given, node.dtype, count);
        checkIndexValues(this.#signature, name, data, dims);
        values[name] = Float64Array.from(data);
      }
    }
    const outputs = interpret(this.graph, { inputs: values, params: this.#params, dims });
    for (const { input, output } of this.#state) this.#stateValues.get(input)!.set(outputs[output]!.data);
    return Object.fromEntries(selected.map((name) => [name, toTensorResult(outputs[name]!)]));
  }

  async dispatch(inputs: Readonly<Record<string, TensorInput>>, options: RunOptions = {}): Promise<void> {
    await this.run(inputs, options);
  }

  outputLocation(): GpuTensorLocation {
    throw new UnsupportedError('outputs of the CPU backend do not live on a GPU', {
      expected: 'backend webgpu',
      actual: 'cpu',
    });
  }

  async profile(
    inputs: Readonly<Record<string, TensorInput>>,
    options: RunOptions = {},
  ): Promise<ProfileResult> {
    const started = performance.now();
    await this.run(inputs, options);
    return { wallMs: performance.now() - started, gpuTimed: false, dispatches: 0, kernels: [] };
  }

  resetState(): void {
    this.#checkLive('resetState');
    for (const { input, inputNode } of this.#state)
      this.#stateValues.set(input, new Float64Array(maxElementCount(inputNode.shape)));
  }

  destroy(): void {
    this.#destroyed = true;
    this.#stateValues.clear();
  }

  #checkLive(what: string): void {
    if (this.#destroyed)
      throw new WeftError('destroyed', `program.${what}: the program was destroyed`, {
        expected: 'a live program',
        actual: 'destroyed',
      });
  }
}

function toTensorResult(tensor: Tensor64): TensorResult {
  const ArrayType = arrayTypeFor(tensor.dtype);
  return { data: ArrayType.from(tensor.data), shape: [...tensor.shape], dtype: tensor.dtype };
}
