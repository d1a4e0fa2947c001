import type { WeftDevice } from '@weft/runtime';

/** The systems a benchmark can compare, in the order the table lists them. */
export const SYSTEM_NAMES = [
  'weft-fused',
  'weft-hoisted',
  'weft-unfused',
  'weft-dense-causal',
  'weft-table-build',
  'weft-unskipped',
  'tfjs',
  'ort-jsep',
  'ort-webgpu',
  'ort-webgpu-nosubgroups',
] as const;

/**
 * A system under benchmark: `weft-fused` / `weft-unfused` (Weft with and without fusion),
 * `weft-hoisted` (Weft fused, with per-row Q/K transforms such as RoPE and QK norm applied as
 * separate ops before the attention kernel instead of inside it; only cases that compare the two),
 * `weft-unskipped` (Weft fused with a skip of the mechanism turned off, e.g. Top-θ loading every V tile),
 * `tfjs` (tfjs-backend-webgpu), `ort-jsep` (onnxruntime-web/all, its JavaScript WebGPU kernels),
 * `ort-webgpu` (onnxruntime-web/webgpu, its C++ WebGPU execution provider) and
 * `ort-webgpu-nosubgroups` (the same on a device of the same adapter without subgroup features;
 * only cases whose onnxruntime kernels differ with subgroups).
 */
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** One system set up for one case: a run from host inputs to host output, and its cleanup. */
export interface RunnableSystem {
  /** One complete run: upload inputs, compute, read the output back (the readback makes times real). */
  run(): Promise<Float32Array>;
  /**
   * Restores the state every run starts from (e.g. refills a KV cache that the last run advanced).
   * Called before each run, outside the timed and counted region.
   */
  prepare?(): Promise<void>;
  /** The system's own account of the most GPU memory it held (read after the runs, before `dispose`). */
  reportedGpuBytes?(): ReportedGpuBytes | undefined;
  /** Frees what the system allocated for this case. */
  dispose(): void | Promise<void>;
  /** Something the table should say about this system (e.g. a fallback it took). */
  readonly note?: string;
}

/** GPU bytes as a system itself counts them, and where the number comes from. */
export interface ReportedGpuBytes {
  /** Bytes. */
  readonly bytes: number;
  /** Where the number comes from, e.g. `program.stats.arenaBytes` or `tf.memory().numBytesInGPU`. */
  readonly source: string;
}

/** How to set one system up for a case; called only when the system is selected. */
export type SystemFactory = () => Promise<RunnableSystem>;

/** What a case's setup produces. */
export interface CaseSetup {
  /** The float64 reference output, in the layout every system's output has. */
  readonly reference: Float64Array;
  /**
   * A reference of its own for a system that computes something else than the case's output (a
   * block-sparse case's dense baseline, its block table alone); the others use `reference`.
   */
  readonly systemReferences?: Partial<Record<SystemName, () => Float64Array>>;
  /** The systems that implement this case. */
  readonly systems: Partial<Record<SystemName, SystemFactory>>;
  /** Floating-point operations of one run, for GFLOP/s; omitted where not meaningful. */
  readonly flops?: number;
  /** Largest error (see `maxRelativeError`) a correct float32 result may have. Default 1e-3. */
  readonly tolerance?: number;
  /** Systems this case does not implement, each with the reason (listed as skipped). */
  readonly absent?: Partial<Record<SystemName, string>>;
}

/** What a case's setup receives. */
export interface CaseContext {
  /** The Weft device (on the shared Dawn adapter). */
  readonly weft: WeftDevice;
  /** The shared Dawn `GPU` the peers also use. */
  readonly gpu: GPU;
}

/**
 * `compute`, run on the first call and remembered: for a case's float64 reference, which only a
 * run needs (`pnpm replay` sets cases up to read their Weft graphs and never reads it).
 */
export function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** One benchmark case, e.g. `matmul-256` or `attention-n512-causal`. */
export interface BenchCase {
  /** Unique name; `--only` matches it or its group. */
  readonly name: string;
  /** Family the case belongs to, e.g. `matmul`; `--only matmul` selects all of them. */
  readonly group: string;
  /** One line saying what is computed, with shapes. */
  readonly description: string;
  /** The system the others' times are divided by (default `weft-fused`, else the first that ran right). */
  readonly referenceSystem?: SystemName;
  /** Creates the inputs, the float64 reference and the systems. */
  setup(context: CaseContext): Promise<CaseSetup> | CaseSetup;
}
