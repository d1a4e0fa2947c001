import type { DimBindings, Graph, KernelPlan, MemoryPlan } from '@weft/ir';
import type { GeneratedKernel } from '@weft/wgsl';
import type { TensorInput, TensorResult } from './tensor-data.js';

/** Options of one run. */
export interface RunOptions {
  /** Values of the graph's symbolic dims for this run (each ≤ its declared maximum). */
  readonly dims?: DimBindings;
  /**
   * Fill every output with NaN before the kernels run, so an output element a kernel forgot to
   * write shows up as NaN instead of a stale value. For tests; costs one extra write per output.
   */
  readonly poisonOutputs?: boolean;
  /**
   * Names of the outputs to read back (default: all). Leaving out large state outputs (a KV cache)
   * avoids copying them to the CPU.
   */
  readonly outputs?: readonly string[];
}

/** Sizes and counts that describe a compiled program. */
export interface ProgramStats {
  /** Kernels in the plan. */
  readonly kernels: number;
  /** Compute dispatches issued by one run. */
  readonly dispatchesPerRun: number;
  /** Bytes of the buffer arena (after liveness-based reuse). */
  readonly arenaBytes: number;
  /** Bytes the same tensors would take without reuse. */
  readonly unsharedBytes: number;
  /** One row per kernel of the plan, in dispatch order: its label, block and template. */
  readonly perKernel: readonly KernelStats[];
}

/**
 * One kernel of a compiled program, as {@link ProgramStats.perKernel} lists it.
 *
 * @example
 * ```ts
 * for (const row of program.stats.perKernel) console.log(row.label); // 'layers.0.attn · attention (...)'
 * ```
 */
export interface KernelStats {
  /**
   * The kernel's label: its block's user name, template and main options, e.g.
   * `layers.0.mlp.down · matmul` (the label of its GPU pipeline and bind group).
   */
  readonly label: string;
  /** The user name of the block it computes (`layers.0.mlp.down`), when its nodes carry labels. */
  readonly block?: string;
  /** Its template (`matmul`, `row`, `elementwise`, `attention`, ...). */
  readonly template: string;
  /** IR nodes it computes. */
  readonly nodes: number;
}

/** Timing of one kernel in a profiled run. */
export interface KernelTiming {
  /** The kernel's label (`layers.0.attn · attention (causal(bottom-right), softmax)`, see {@link KernelStats.label}). */
  readonly label: string;
  /** The user name of the block it computes, when its nodes carry labels. */
  readonly block?: string;
  /** Its template. */
  readonly template: string;
  /** GPU time in milliseconds from timestamp queries, when the device has `timestamp-query`. */
  readonly gpuMs?: number;
}

/** Result of {@link Program.profile}. */
export interface ProfileResult {
  /** Wall time of the whole run including readback, in milliseconds. */
  readonly wallMs: number;
  /** Whether per-kernel GPU times come from timestamp queries. */
  readonly gpuTimed: boolean;
  /** Sum of per-kernel GPU times (when timed). */
  readonly gpuMs?: number;
  /** Dispatches issued. */
  readonly dispatches: number;
  /** Per-kernel timings, in dispatch order. */
  readonly kernels: readonly KernelTiming[];
}

/** Where an output lives on the GPU after {@link Program.dispatch}: a range of the program's arena. */
export interface GpuTensorLocation {
  /** The arena buffer. */
  readonly buffer: GPUBuffer;
  /** Byte offset of the tensor. */
  readonly offset: number;
  /** Bytes the tensor occupies for the last run's dims. */
  readonly size: number;
  /** Concrete shape for the last run. */
  readonly shape: readonly number[];
}

/**
 * A compiled graph, ready to run. One program serves every binding of its symbolic dims up to
 * their maxima without recompiling.
 *
 * @example
 * ```ts
 * const program = await compile(graph, { device: await requestWeftDevice(), params });
 * const { y } = await program.run({ x }, { dims: { seq: 17 } });
 * program.destroy();
 * ```
 */
export interface Program {
  /** Where it runs: a WebGPU device, or the float64 reference interpreter on the CPU. */
  readonly backend: 'webgpu' | 'cpu';
  /** Why the CPU backend was chosen, when it was (e.g. no adapter). */
  readonly fallbackReason?: string;
  /** The optimized graph the program computes. */
  readonly graph: Graph;
  /** Its kernel plan. */
  readonly plan: KernelPlan;
  /** Its buffer plan. */
  readonly memory: MemoryPlan;
  /** Generated kernels (empty on the CPU backend). */
  readonly kernels: readonly GeneratedKernel[];
  /** Sizes and counts. */
  readonly stats: ProgramStats;
  /** Runs the program and reads every output back. */
  run(
    inputs: Readonly<Record<string, TensorInput>>,
    options?: RunOptions,
  ): Promise<Record<string, TensorResult>>;
  /**
   * Runs the program and leaves the outputs on the GPU (see {@link Program.outputLocation}) for
   * chaining into other GPU work. Resolves when the GPU has finished.
   */
  dispatch(inputs: Readonly<Record<string, TensorInput>>, options?: RunOptions): Promise<void>;
  /** Where output `name` lives after the last {@link Program.dispatch} or {@link Program.run}. */
  outputLocation(name: string): GpuTensorLocation;
  /** Runs once with per-kernel timing (timestamp queries where available, wall time otherwise). */
  profile(inputs: Readonly<Record<string, TensorInput>>, options?: RunOptions): Promise<ProfileResult>;
  /**
   * Sets every persistent state input (see `CompileOptions.state`) back to zeros, in call order
   * with the program's runs (after the runs queued before it). Each run is atomic, but a sequence
   * of runs is not: callers that share a stateful program must serialize their sequences
   * themselves (`CompiledModel.generate` does).
   *
   * @throws WeftError `destroyed` after {@link Program.destroy}.
   */
  resetState(): void;
  /** Frees every GPU buffer of the program. Later `run`, `dispatch`, `profile` and `resetState` calls throw a `WeftError` (`destroyed`). */
  destroy(): void;
}
