/**
 * The fusion planner: groups the nodes of an optimized graph into kernels, each an instance of
 * one template (`elementwise`, `row`, `reduce`, `matmul`, or an opaque op's own template).
 *
 * Algorithm. A node is *realized* when its value is written to memory; a kernel is a realized
 * node (its root) plus the unrealized nodes it depends on, up to sources and other realized nodes
 * (which it reads). Realized from the start: graph outputs nobody else reads, opaque nodes and
 * their operands. Roots are then visited from the last to the first in topological order; each
 * grows its kernel backwards, visiting candidates in decreasing topological position (so every
 * user of a candidate that belongs to the kernel is already known), and either takes the
 * candidate in or realizes it (the kernel reads it, and it roots a kernel of its own later):
 * 1. `constant` (filled) nodes are taken in: they are literals in the kernel's Exprs, never buffers.
 *    Other sources and realized nodes are read.
 * 2. Cost rule. Recomputing an elementwise value costs a load of each input of its cone at every
 *    evaluation; writing it costs one store and one load per reader. A kernel evaluates a value
 *    once per element when only elementwise nodes use it (an elementwise kernel, an epilogue), but
 *    many times when it feeds a matmul operand (once per output block of the other axis) or a
 *    reduction (once per statistics pass). So an elementwise candidate that this kernel would
 *    evaluate many times, and whose cone is the epilogue of one matmul that nothing else reads (the
 *    residual sum `x + (attn · Wo + bo)` under a norm), is *materialized*: that matmul's kernel
 *    writes it at the cost of a store and no extra dispatch, and every kernel reads it, so no later
 *    kernel repeats earlier residual adds. Planning runs again with those decisions known from the
 *    start until it adds none (a kernel grown earlier may have recomputed the value); between
 *    rounds, values evaluated many times whose cone the new decisions cut down to one matmul's
 *    epilogue are materialized too, so a residual stream settles in two rounds, not one per layer.
 * 3. Otherwise a candidate with a user outside the kernel is taken in (recomputed in each kernel that
 *    needs it) only if it is cheap: elementwise/injective, with at most {@link CHEAP_CONE_LIMIT} such
 *    nodes in its unrealized cone; reductions and matmuls at the edge of that cone are realized.
 *    Otherwise it is realized. A graph output with other users is always realized; one whose users
 *    are all in the kernel becomes an extra output of the kernel.
 * 4. Elementwise and injective candidates are taken in (prologues, epilogues, side inputs).
 * 5. A matmul is taken in when the kernel has no matmul and no reduction, and every kernel node
 *    that depends on it (its epilogue) is a function of one matmul element: elementwise nodes of the
 *    matmul's shape, and reshapes, permutes and slices, whose `placeElement` says where the element
 *    lands, so the kernel stores each output at its place (heads split by the store; a slice
 *    stored inside its window only). An operand whose elementwise chain hides a matmul, or a
 *    reduction other than a row statistic of A (rule 7), is realized, with one exception: a small
 *    chain (at most `CHEAP_CONE_LIMIT` + 1 nodes) on A that only this matmul reads and that
 *    no epilogue can write (it reads other matmuls' outputs through different layouts: SwiGLU's
 *    `silu(gate) · up`, two slices of the gate/up matmul) is recomputed in the prologue, sparing a
 *    dispatch and a round trip; the matmuls it reads are realized.
 * 6. A reduction is taken in when the kernel has no matmul and every kernel node that depends on
 *    it is per-element or per-row in its domain (per-element includes any reshape of the domain:
 *    reshapes keep row-major order, so GroupNorm's groups fold back into channels in the kernel),
 *    and reads the statistics of its own row: elementwise on its own shape or on per-row values
 *    kept as size-1 axes, or a reshape (never a permute, slice or column broadcast). A second
 *    reduction must reduce the same trailing axes of the same shape (softmax: max then sum;
 *    LayerNorm: mean then variance); a reduction over non-trailing axes (`reduce` template) takes
 *    no second one and no per-element consumers.
 * 7. In a matmul kernel, a `sum`/`mean`/`max`/`min` over the last axis of A (not transposed, not
 *    broadcast over the batch) is taken in as a row statistic of the prologue when everything that
 *    depends on it reaches the matmul only through A (never B or the epilogue), per-element or
 *    per-row in A's rows and reading its own row: the matmul kernel computes the statistics of its
 *    block of rows before the K loop and applies the norm while loading A (LayerNorm, RMSNorm,
 *    softmax → matmul in one kernel). Per-element values of A's prologue that are graph outputs
 *    (the sum of residual add + norm) are written by the kernel while loading A.
 * 8. Cost model. Every other prologue (rules 5 and 7) is priced when its matmul is taken in
 *    (`cost/prologue-cost.ts`): the kernel evaluates it once per block of output columns (A) or
 *    rows (B), and computes A's row statistics once per workgroup; where that costs more on the
 *    adapter ({@link FusionOptions.costs}) than a kernel of its own (a dispatch and a round trip of
 *    the operand), the operand is realized — a norm becomes a `row` kernel, a view or activation an
 *    `elementwise` one. Each decision, with its estimates, is kept in `KernelPlan.decisions`.
 * Four passes then merge kernels: a `row` kernel into the first later kernel that reads it when
 * that is a `row` kernel of the same domain (one kernel writes several per-row statistics:
 * AdaLIN's layer mean and variance); an `elementwise` kernel that reads only sources and one
 * matmul kernel's outputs into that kernel, as epilogue outputs (adaLN-Zero's gate chunk); and
 * `elementwise` kernels of one iteration space that do not depend on each other into one kernel
 * with several outputs (a decoder step's K- and V-cache updates); and opaque nodes over the same
 * operands that their op computes in one pass (`OpDef.sharedKernelKey`: attention's output, row
 * log-sum-exp and row max) into one kernel that writes them all.
 * Opaque ops read operands and write results through strided views where their op allows it
 * (`OpDef.viewOperands`, `OpDef.writesThroughView`; `opaque-views.ts`): attention reads packed
 * `[B, N, H·d]` heads through their reshape and permute, and writes merged heads, so neither
 * view gets a kernel of its own.
 * Kernels are dispatched in the topological order of their roots (a merged kernel takes the place
 * that keeps it valid): a kernel reads only sources and outputs of earlier kernels. With
 * `fuse: false` every non-source node is a kernel of its own (the unfused baseline). Each kernel
 * then gets its schedule (`scheduleKernel`): the decisions its template reads.
 *
 * Code. The rules live in `admit/`, one module per rule: `admit.ts` applies them in order (1, 3,
 * 4 and graph outputs), `materialize.ts` (2), `matmul-epilogue.ts` (5), `matmul-prologue.ts` (5's
 * prologues and 7), `reduction-row.ts` (6), over the cones of `cones.ts`; the cost model (8) and
 * its tables are in `cost/`; `grow-kernel.ts` grows one kernel, `planner-state.ts` holds what one
 * planning round knows.
 */
import type { Graph } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { epilogueOfProducer } from './admit/materialize.js';
import { type FusionCostModel, HARDWARE_FUSION_COSTS } from './cost/fusion-cost-model.js';
import { growKernel, singleNodeKernel } from './grow-kernel.js';
import type { KernelDraft } from './kernel-draft.js';
import type { KernelPlan } from './kernel-plan.js';
import { scheduleKernel } from './kernel-schedule.js';
import { mergeEpilogueKernels } from './merge-epilogue-kernels.js';
import { mergeRowKernels } from './merge-row-kernels.js';
import { mergeSharedOpaqueKernels } from './merge-shared-opaque-kernels.js';
import { mergeSiblingKernels } from './merge-sibling-kernels.js';
import { realizeOpaque } from './opaque-views.js';
import { PlannerState } from './planner-state.js';
import { DEFAULT_MAX_KERNEL_OUTPUTS, splitWideKernels } from './split-wide-kernels.js';

/** Options of {@link planFusion}. */
export interface FusionOptions {
  /** `false`: one kernel per non-source node (the unfused baseline). Default `true`. */
  readonly fuse?: boolean;
  /**
   * Most outputs one kernel may write: wider elementwise kernels are split (each output takes a
   * storage binding; a device has `maxStorageBuffersPerShaderStage`). Default 7.
   */
  readonly maxKernelOutputs?: number;
  /**
   * What work costs on the adapter the plan is for; the planner fuses a matmul prologue only where
   * it pays on it (see `decideMatmulPrologue`). Default {@link HARDWARE_FUSION_COSTS}.
   */
  readonly costs?: FusionCostModel;
}

/** Groups the nodes of `graph` into kernels (see the algorithm above). */
export function planFusion(graph: Graph, options: FusionOptions = {}): KernelPlan {
  const state = new PlannerState(graph, options.costs ?? HARDWARE_FUSION_COSTS);
  const planned = options.fuse === false ? unfused(state) : fused(state);
  const kernels = splitWideKernels(planned, options.maxKernelOutputs ?? DEFAULT_MAX_KERNEL_OUTPUTS);
  return {
    graph,
    kernels: kernels.map(({ views, ...kernel }, id) => ({
      ...kernel,
      id,
      schedule: scheduleKernel({ ...kernel, ...(views === undefined ? {} : { views }) }),
    })),
    decisions: state.decisions,
  };
}

function unfused(state: PlannerState): KernelDraft[] {
  return state.nodes
    .filter((node) => state.role(node) !== 'source')
    .map((node) => singleNodeKernel(state, node));
}

function fused(state: PlannerState): KernelDraft[] {
  // A kernel grown early may recompute a value that a kernel grown later decides to materialize;
  // plan again with every such decision known from the start, until none is added.
  for (;;) {
    const decided = state.materialized.size;
    const kernels = fusedRound(state);
    if (state.materialized.size === decided) return kernels;
    promoteDeferred(state);
  }
}

/**
 * Materializes, in topological order, each deferred value (one some kernel evaluates many times)
 * that is the epilogue of one matmul once the values materialized before it are realized, as the
 * next round would find it. A residual stream decides one layer per round otherwise: the sum of
 * layer k is the epilogue of one matmul only once the sum of layer k − 1 is materialized, and
 * kernels are grown from the last layer back (the 12-layer demo decoder: 2 rounds instead of 14).
 */
function promoteDeferred(state: PlannerState): void {
  // As the next round starts: only materialized values are realized.
  state.realized = new Set(state.materialized);
  for (const node of state.sorted(state.deferred)) {
    if (state.materialized.has(node) || !epilogueOfProducer(state, node)) continue;
    state.materialized.add(node);
    state.realized.add(node);
  }
}

function fusedRound(state: PlannerState): KernelDraft[] {
  state.realized = new Set(state.materialized);
  state.decisions = [];
  for (const node of state.nodes) {
    const role = state.role(node);
    if (role === 'source') continue;
    if (role === 'opaque') realizeOpaque(state, node);
    if (state.outputs.has(node) && state.users.get(node)!.length === 0) state.realized.add(node);
  }
  const kernels: KernelDraft[] = [];
  for (let index = state.nodes.length - 1; index >= 0; index--) {
    const node = state.nodes[index]!;
    // A view target (merged heads) is written by its opaque op's kernel.
    if (state.realized.has(node) && !state.viewWrites.has(node)) kernels.push(growKernel(state, node));
  }
  const sort = (nodes: Iterable<Node>): Node[] => state.sorted(nodes);
  const merged = mergeEpilogueKernels(
    mergeRowKernels(kernels.reverse(), state.outputs, sort),
    state.outputs,
    sort,
  );
  return mergeSharedOpaqueKernels(mergeSiblingKernels(merged, sort), sort);
}
