import type { Graph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import type { FusionDecision } from './cost/fusion-decision.js';
import type { KernelSchedule } from './kernel-schedule.js';

/**
 * Kernel templates the fusion planner can choose. Extension ops name their own template
 * (`attention.flash`, ...), which a code generator must know.
 * - `elementwise`: one invocation per output element; a chain of elementwise/injective nodes.
 * - `row`: one workgroup per row; one or more reductions over the same trailing axes (each may use
 *   earlier ones, e.g. mean then variance, or max then sum of exp) plus elementwise consumers that
 *   use the row statistics (softmax, every norm).
 * - `reduce`: one reduction over axes that are not the trailing ones (one invocation per output
 *   element), with an elementwise prologue on its operand and per-output consumers.
 * - `matmul`: a tiled batched matmul with an elementwise prologue on its operands (on A, possibly
 *   using row statistics of A that the kernel computes first: a norm or softmax feeding the matmul)
 *   and an epilogue whose outputs are stored at their place through reshapes, permutes and slices.
 * - `opaque`: one node with a kernel of its own (scan, convolution, top-k, extension ops). The
 *   fusion planner names such kernels after the op (`scan`, `conv2d`, `attention.flash`).
 */
export type KernelTemplate = 'elementwise' | 'row' | 'reduce' | 'matmul' | 'opaque' | (string & {});

/** One fused kernel: a group of graph nodes computed by one dispatch (or one template instance). */
export interface Kernel {
  /** Position in the plan (dispatch order). */
  readonly id: number;
  /** Template that computes it. */
  readonly template: KernelTemplate;
  /** The node that decides the iteration space: the matmul, the last reduction, the opaque op, or the elementwise output. */
  readonly anchor: Node;
  /**
   * Every node computed inside the kernel, in topological order. Filled `constant` nodes it uses
   * are listed here (they lower to literals) and never in {@link Kernel.inputs}. A cheap
   * elementwise node shared by several kernels is recomputed in each (and written by none).
   */
  readonly nodes: readonly Node[];
  /** Tensors the kernel reads from memory: graph inputs, parameters, `literal` constants, or other kernels' outputs. */
  readonly inputs: readonly Node[];
  /** Tensors the kernel writes to memory: graph outputs, or values other kernels read. */
  readonly outputs: readonly Node[];
  /** The planner's decisions its template needs, by template kind (see {@link KernelSchedule}). */
  readonly schedule: KernelSchedule;
}

/** The fusion planner's result: kernels in dispatch order over a graph. */
export interface KernelPlan {
  /** The (optimized) graph the plan covers. */
  readonly graph: Graph;
  /** Kernels in a valid dispatch order. */
  readonly kernels: readonly Kernel[];
  /**
   * The cost model's decisions, one per matmul operand with a prologue (fused or given a kernel of
   * its own), in the order the planner made them; empty for an unfused plan. `formatFusionDecisions`
   * prints them.
   */
  readonly decisions?: readonly FusionDecision[];
}

/** Where one tensor lives in the arena. */
export interface BufferSlot {
  /** The tensor. */
  readonly node: Node;
  /** Byte offset in the arena (a multiple of the plan's alignment). */
  readonly offset: number;
  /** Bytes reserved (for the dims' maxima). */
  readonly bytes: number;
  /** Role: graph inputs, parameters (uploaded once), graph outputs, or intermediates (reused). */
  readonly role: 'input' | 'param' | 'const' | 'output' | 'intermediate';
  /** Index of the first kernel that touches it (liveness interval, inclusive). */
  readonly liveFrom: number;
  /** Index of the last kernel that touches it (liveness interval, inclusive). */
  readonly liveTo: number;
  /**
   * Present when the f32 tensor is stored as f16 (2 bytes per element, in 4-byte words; see
   * `halfStoredTensors` and `MemoryOptions.halfStorage`).
   */
  readonly halfStored?: true;
}

/** The memory planner's result: one arena with liveness-based reuse. */
export interface MemoryPlan {
  /** Alignment of every offset, in bytes. */
  readonly alignment: number;
  /** Arena size in bytes (the peak of simultaneously live slots, after packing). */
  readonly arenaBytes: number;
  /** Sum of all slots' bytes without reuse, for comparison. */
  readonly unsharedBytes: number;
  /**
   * The most bytes simultaneously live at any kernel (each slot rounded up to the alignment): a
   * lower bound of {@link MemoryPlan.arenaBytes}, which packing may exceed through fragmentation.
   */
  readonly peakLiveBytes: number;
  /** One slot per tensor that lives in memory. */
  readonly slots: ReadonlyMap<Node, BufferSlot>;
}
