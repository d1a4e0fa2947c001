/** A tensor between kernels (or a graph input, parameter or output), as the plan picture shows it. */
export interface PlanTensor {
  /** Stable id within one plan (the node's position in the optimized graph). */
  readonly id: number;
  /** Its name: the input, parameter or output name, else its op (`matmul`, `attention`). */
  readonly name: string;
  /** Shape, symbolic dims written by name. */
  readonly shape: string;
  /** Bytes at the largest binding of its dims. */
  readonly bytes: number;
  /** What it is to the program. */
  readonly role: 'input' | 'param' | 'intermediate' | 'output';
}

/** One kernel of the plan. */
export interface PlanKernel {
  /** The kernel's label (`attention · attention (causal, softmax)`). */
  readonly label: string;
  /** Its template (`attention`, `row`, `matmul`, `elementwise`, ...). */
  readonly template: string;
  /** The ops fused into it, in order (sources and constants left out). */
  readonly ops: readonly string[];
  /** Ids of the tensors it reads. */
  readonly reads: readonly number[];
  /** Ids of the tensors it writes. */
  readonly writes: readonly number[];
  /** Its WGSL module (empty on the CPU backend). */
  readonly wgsl: string;
}

/** The block-sparsity map of an attention mask: one class per (query tile, key tile). */
export interface MaskTiles {
  /** Description of the mask (`and(causal, slidingWindow(40))`). */
  readonly description: string;
  /** Queries (and keys) per tile. */
  readonly tile: number;
  /** `tiles[queryTile][keyTile]`. */
  readonly tiles: readonly (readonly ('empty' | 'partial' | 'full')[])[];
}

/** A matrix to draw as a heat map. */
export interface HeatMap {
  /** What it shows (`attention weights of head 0`). */
  readonly title: string;
  /** Rows. */
  readonly rows: number;
  /** Columns. */
  readonly columns: number;
  /** Row-major values. */
  readonly values: Float32Array;
  /** Heads one may choose between (attention weights only). */
  readonly heads?: number;
}

/** What the worker reports for one spec: everything the page shows. */
export interface AnalysisResult {
  /** Headline of the instance. */
  readonly title: string;
  /** Where it ran. */
  readonly backend: 'webgpu' | 'cpu';
  /** The adapter (`google swiftshader`) or why the CPU backend ran. */
  readonly device: string;
  /** Kernels in dispatch order. */
  readonly kernels: readonly PlanKernel[];
  /** Every tensor a kernel reads or writes. */
  readonly tensors: readonly PlanTensor[];
  /** Arena bytes after reuse. */
  readonly arenaBytes: number;
  /** Worst normwise relative error of any output against the float64 reference. */
  readonly maxRelativeError: number;
  /** The stated bound on that error, where there is one. */
  readonly tolerance?: number;
  /** Per-kernel GPU times from `profile()` (timestamp queries), in ms; absent without them. */
  readonly kernelMs?: readonly number[];
  /** Wall time of the profiled run, in ms. */
  readonly wallMs: number;
  /** The mask's block map (attention specs with a mask). */
  readonly maskTiles?: MaskTiles;
  /** The heat map: attention weights of the chosen head, or the first output. */
  readonly heatMap?: HeatMap;
}

/** A failure, as the page shows it: the WeftError's class and message. */
export interface AnalysisFailure {
  /** Error class (`SpecError`, `WeftError`, `TypeError`). */
  readonly name: string;
  /** Its message. */
  readonly message: string;
}
