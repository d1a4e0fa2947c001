import {
  type BufferSlot,
  type DimBindings,
  elementCount,
  type Graph,
  InputError,
  isSourceTensor,
  type KernelPlan,
  type MemoryPlan,
  type Node,
  resolveShape,
  UnsupportedError,
  WeftError,
} from '@weft/ir';
import { type GeneratedKernel, tensorDescription } from '@weft/wgsl';
import { type BufferLayout, locate } from './buffer-layout.js';
import { type DeviceLossState, deviceLossOf, gpuFailure } from './device-loss.js';
import { withErrorScopes } from './error-scopes.js';
import { checkDims, checkIndexValues, checkInputNames, type GraphSignature } from './graph-signature.js';
import { align4, type KernelResources, kernelResources, type TensorPlacement } from './kernel-resources.js';
import { kernelStats } from './kernel-stats.js';
import { timeKernels } from './kernel-timer.js';
import { OutputReadback } from './output-readback.js';
import type { GpuTensorLocation, ProfileResult, Program, ProgramStats, RunOptions } from './program.js';
import type { StatePair } from './program-state.js';
import { checkInputRecord, type TensorInput, type TensorResult, toTypedArray } from './tensor-data.js';

/** Everything a GPU program is made of; built by `compile`. */
export interface GpuProgramParts {
  readonly device: GPUDevice;
  readonly graph: Graph;
  readonly plan: KernelPlan;
  readonly memory: MemoryPlan;
  readonly kernels: readonly GeneratedKernel[];
  readonly pipelines: readonly GPUComputePipeline[];
  /** Intermediates and outputs (see {@link BufferLayout}). */
  readonly arena: GPUBuffer;
  /** Graph inputs, parameters and constants: kernels bind them read-only. */
  readonly sources: GPUBuffer;
  readonly layout: BufferLayout;
  readonly signature: GraphSignature;
  readonly outputs: Readonly<Record<string, Node>>;
  /** Persistent inputs and the outputs copied into them after each run. */
  readonly state: readonly StatePair[];
}

/**
 * A program on a WebGPU device: a read-only sources buffer and an arena, one pipeline and bind group
 * per kernel, one encoder per run.
 */
export class GpuProgram implements Program {
  readonly backend = 'webgpu' as const;
  readonly graph: Graph;
  readonly plan: KernelPlan;
  readonly memory: MemoryPlan;
  readonly kernels: readonly GeneratedKernel[];
  readonly stats: ProgramStats;

  readonly #device: GPUDevice;
  readonly #arena: GPUBuffer;
  readonly #sources: GPUBuffer;
  readonly #layout: BufferLayout;
  readonly #readback: OutputReadback;
  readonly #resources: readonly KernelResources[];
  readonly #signature: GraphSignature;
  readonly #outputs: Readonly<Record<string, Node>>;
  readonly #state: readonly StatePair[];
  readonly #stateInputs: ReadonlySet<string>;
  readonly #stateScratch: GPUBuffer | undefined;
  #uniformKey: string | undefined;
  #lastDims: DimBindings | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #loss: DeviceLossState;
  #destroyed = false;

  constructor(parts: GpuProgramParts) {
    this.graph = parts.graph;
    this.plan = parts.plan;
    this.memory = parts.memory;
    this.kernels = parts.kernels;
    this.#device = parts.device;
    this.#arena = parts.arena;
    this.#sources = parts.sources;
    this.#layout = parts.layout;
    this.#signature = parts.signature;
    this.#outputs = parts.outputs;
    this.#state = parts.state;
    this.#stateInputs = new Set(parts.state.map((pair) => pair.input));
    const placement: TensorPlacement = {
      locate: (node) => this.#locate(node),
      bytes: (node) => this.#slot(node).bytes,
    };
    // A scratch buffer only for a state output that is itself a source (an input passed through).
    const sameBuffer = parts.state.filter((pair) => isSourceTensor(pair.outputNode));
    const stateBytes = Math.max(0, ...sameBuffer.map((pair) => align4(placement.bytes(pair.outputNode))));
    this.#stateScratch =
      stateBytes === 0
        ? undefined
        : parts.device.createBuffer({
            label: 'weft-state',
            size: stateBytes,
            usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          });
    this.#readback = new OutputReadback(parts.device, parts.outputs, placement);
    this.#resources = parts.kernels.map((kernel, index) =>
      kernelResources(parts.device, kernel, parts.pipelines[index]!, parts.signature, placement),
    );
    this.stats = {
      kernels: parts.kernels.length,
      dispatchesPerRun: parts.kernels.length,
      arenaBytes: parts.memory.arenaBytes,
      unsharedBytes: parts.memory.unsharedBytes,
      perKernel: parts.kernels.map(({ kernel, label, block }) => ({
        ...kernelStats(kernel),
        label,
        ...(block === undefined ? {} : { block }),
      })),
    };
    this.#loss = deviceLossOf(parts.device);
  }

  run(
    inputs: Readonly<Record<string, TensorInput>>,
    options: RunOptions = {},
  ): Promise<Record<string, TensorResult>> {
    return this.#serialized(async () => {
      const { dims, selected } = this.#encodeAndSubmit(inputs, options, undefined);
      return this.#readback.read(dims, selected);
    });
  }

  dispatch(inputs: Readonly<Record<string, TensorInput>>, options: RunOptions = {}): Promise<void> {
    return this.#serialized(async () => {
      this.#encodeAndSubmit(inputs, options, undefined);
      await this.#device.queue.onSubmittedWorkDone();
    });
  }

  outputLocation(name: string): GpuTensorLocation {
    const node = this.#outputs[name];
    if (node === undefined) throw unknownOutput(name, this.#outputs);
    const shape = resolveShape(node.shape, this.#lastDims ?? {});
    const { buffer, offset } = this.#locate(node);
    return { buffer, offset, size: elementCount(shape) * 4, shape };
  }

  profile(inputs: Readonly<Record<string, TensorInput>>, options: RunOptions = {}): Promise<ProfileResult> {
    return this.#serialized(async () => {
      const started = performance.now();
      const timer = this.#device.features.has('timestamp-query')
        ? timeKernels(this.#device, this.#resources.length)
        : undefined;
      const { dims, selected } = this.#encodeAndSubmit(inputs, options, timer);
      await this.#readback.read(dims, selected);
      const gpuTimes = timer === undefined ? undefined : await timer.read();
      const wallMs = performance.now() - started;
      const kernels = this.#resources.map(({ kernel }, index) => ({
        label: kernel.label,
        ...(kernel.block === undefined ? {} : { block: kernel.block }),
        template: kernel.kernel.template,
        ...(gpuTimes === undefined ? {} : { gpuMs: gpuTimes[index]! }),
      }));
      return {
        wallMs,
        gpuTimed: gpuTimes !== undefined,
        ...(gpuTimes === undefined ? {} : { gpuMs: gpuTimes.reduce((sum, ms) => sum + ms, 0) }),
        dispatches: this.#resources.length,
        kernels,
      };
    });
  }

  /**
   * Zeroes the state in call order with the runs: after every run queued before it, before every
   * run queued after it (a reset cannot land in the middle of another caller's run).
   */
  resetState(): void {
    this.#checkDestroyed('resetState');
    this.#queue = this.#queue.then(() => {
      if (this.#destroyed || this.#loss.lost !== undefined) return;
      for (const { inputNode } of this.#state) {
        const { buffer, offset } = this.#locate(inputNode);
        this.#device.queue.writeBuffer(buffer, offset, new Uint8Array(align4(this.#slot(inputNode).bytes)));
      }
    });
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#arena.destroy();
    this.#sources.destroy();
    this.#readback.destroy();
    this.#stateScratch?.destroy();
    for (const resource of this.#resources) {
      resource.uniformBuffer?.destroy();
      resource.packed?.buffer.destroy();
    }
  }

  #checkDestroyed(what: string): void {
    if (this.#destroyed)
      throw new WeftError('destroyed', `program.${what}: the program was destroyed`, {
        expected: 'a live program',
        actual: 'destroyed',
      });
  }

  /** Runs `work` after every earlier run has finished: runs share the readback buffer. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(async () => {
      if (this.#destroyed) throw new WeftError('destroyed', 'the program was destroyed');
      if (this.#loss.lost !== undefined) throw new WeftError('device-lost', this.#loss.lost);
      try {
        return await withErrorScopes(this.#device, work);
      } catch (error) {
        throw WeftError.isInstance(error) ? error : gpuFailure(error, this.#loss.lost);
      }
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #encodeAndSubmit(
    inputs: Readonly<Record<string, TensorInput>>,
    options: RunOptions,
    timer: ReturnType<typeof timeKernels> | undefined,
  ): { dims: DimBindings; selected: ReadonlySet<string> } {
    // Everything about the inputs is checked before any GPU work.
    checkInputRecord(inputs);
    const dims = checkDims(this.#signature, options.dims);
    const selected = this.#selectedOutputs(options);
    checkInputNames(this.#signature, Object.keys(inputs), this.#stateInputs);
    const given = [...this.#signature.inputs].filter(
      ([name]) => Object.hasOwn(inputs, name) && inputs[name] !== undefined,
    );
    const uploads = given.map(([name, node]) => {
      const count = elementCount(resolveShape(node.shape, dims));
      const data = toTypedArray(name, inputs[name]!, node.dtype, count);
      checkIndexValues(this.#signature, name, data, dims);
      return { node, data };
    });
    const queue = this.#device.queue;
    for (const { node, data } of uploads) {
      // An input that no kernel reads (the body of its only consumer ignores it) has no buffer.
      if (!this.memory.slots.has(node)) continue;
      const { buffer, offset } = this.#locate(node);
      queue.writeBuffer(buffer, offset, data);
    }
    this.#writeUniforms(dims);
    if (options.poisonOutputs === true) {
      for (const node of Object.values(this.#outputs)) {
        const slot = this.#slot(node);
        if (slot.role === 'output' || slot.role === 'intermediate') {
          const { buffer, offset } = this.#locate(node);
          queue.writeBuffer(buffer, offset, new Float32Array(slot.bytes / 4).fill(Number.NaN));
        }
      }
    }
    const encoder = this.#device.createCommandEncoder({ label: 'weft-run' });
    // One compute pass for all kernels; a pass ends only where packed inputs must be copied
    // first, or where each kernel is timed on its own.
    let pass: GPUComputePassEncoder | undefined;
    this.#resources.forEach((resource, index) => {
      if (resource.packed !== undefined || timer !== undefined) {
        pass?.end();
        pass = undefined;
        for (const copy of resource.packed?.copies ?? []) {
          encoder.copyBufferToBuffer(copy.source, copy.from, resource.packed!.buffer, copy.to, copy.bytes);
        }
      }
      pass ??= encoder.beginComputePass({
        label: timer === undefined ? 'weft' : resource.kernel.label,
        ...(timer === undefined ? {} : { timestampWrites: timer.writesFor(index) }),
      });
      this.#encodeKernel(pass, resource, dims);
      if (timer !== undefined) {
        pass.end();
        pass = undefined;
      }
    });
    pass?.end();
    timer?.resolve(encoder);
    this.#readback.copy(encoder, dims, selected);
    // State outputs become next run's state inputs, entirely on the GPU: from the arena into the
    // sources buffer (through a scratch buffer where both are in one buffer, as for an input passed
    // through as the output: a copy within one buffer is not allowed).
    for (const { inputNode, outputNode } of this.#state) {
      const bytes = align4(elementCount(resolveShape(outputNode.shape, dims)) * 4);
      const from = this.#locate(outputNode);
      const to = this.#locate(inputNode);
      if (from.buffer !== to.buffer) {
        encoder.copyBufferToBuffer(from.buffer, from.offset, to.buffer, to.offset, bytes);
      } else {
        encoder.copyBufferToBuffer(from.buffer, from.offset, this.#stateScratch!, 0, bytes);
        encoder.copyBufferToBuffer(this.#stateScratch!, 0, to.buffer, to.offset, bytes);
      }
    }
    queue.submit([encoder.finish()]);
    this.#lastDims = dims;
    return { dims, selected };
  }

  #encodeKernel(pass: GPUComputePassEncoder, resource: KernelResources, dims: DimBindings): void {
    const [x, y, z] = resource.kernel.workgroups(dims);
    if (x === 0 || y === 0 || z === 0) return;
    pass.setPipeline(resource.pipeline);
    pass.setBindGroup(0, resource.bindGroup);
    pass.dispatchWorkgroups(x, y, z);
  }

  #writeUniforms(dims: DimBindings): void {
    const key = JSON.stringify(dims);
    if (key === this.#uniformKey) return;
    for (const { kernel, uniformBuffer, packed } of this.#resources) {
      if (uniformBuffer !== undefined)
        this.#device.queue.writeBuffer(uniformBuffer, 0, kernel.uniforms(dims, packed?.offsets));
    }
    this.#uniformKey = key;
  }

  #selectedOutputs(options: RunOptions): ReadonlySet<string> {
    const names = options.outputs ?? Object.keys(this.#outputs);
    for (const name of names) {
      if (this.#outputs[name] === undefined) throw unknownOutput(name, this.#outputs);
    }
    return new Set(names);
  }

  #slot(node: Node): BufferSlot {
    const slot = this.memory.slots.get(node);
    if (slot === undefined)
      throw new UnsupportedError(`tensor ${node.op} has no buffer in the memory plan`, {
        tensor: tensorDescription(node),
      });
    return slot;
  }

  /** The buffer holding `node` and its offset there. */
  #locate(node: Node): { readonly buffer: GPUBuffer; readonly offset: number } {
    return locate(this.#layout, this.#slot(node), { sources: this.#sources, arena: this.#arena });
  }
}

/** The error of an output name the program does not have. */
function unknownOutput(name: string, outputs: Readonly<Record<string, Node>>): InputError {
  return new InputError('unknown output', {
    tensor: name,
    expected: Object.keys(outputs).join(', '),
    actual: name,
  });
}
