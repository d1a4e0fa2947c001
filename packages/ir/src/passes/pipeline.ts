import { type Graph, graphNodes } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import type { FusionCostModel } from '../plan/cost/fusion-cost-model.js';
import { planFusion } from '../plan/fusion-planner.js';
import type { KernelPlan, MemoryPlan } from '../plan/kernel-plan.js';
import { planMemory } from '../plan/memory-planner.js';
import { decomposeExtensionOps } from './decompose-extension-ops.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { inferAndValidate } from './infer-and-validate.js';
import { simplify } from './simplify.js';
import { verify } from './verify.js';

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** Run {@link verify} after every graph pass (tests do; it costs one re-inference per node). Default false. */
  readonly verifyEachPass?: boolean;
  /** Decompose ops that have a decomposition: `true` for all, or the op names to decompose. Default false. */
  readonly decompose?: boolean | readonly string[];
  /** `false`: one kernel per non-source node (the unfused baseline). Default true. */
  readonly fuse?: boolean;
  /** Byte alignment of every arena offset, a power of two. Default 256. */
  readonly alignment?: number;
  /** Store f32 intermediates and parameters as f16 (see `MemoryOptions.halfStorage`). Default false. */
  readonly halfStorage?: boolean;
  /** Most outputs one kernel may write (see `FusionOptions.maxKernelOutputs`). Default 7. */
  readonly maxKernelOutputs?: number;
  /** What work costs on the target adapter (see `FusionOptions.costs`). Default `HARDWARE_FUSION_COSTS`. */
  readonly fusionCosts?: FusionCostModel;
}

/** One step of the pipeline, as logged. */
export interface PipelineLogEntry {
  /** The step's name. */
  readonly step: string;
  /** Why the step runs, in one line. */
  readonly reason: string;
  /** What it did, in one line: `31 -> 24 nodes`, `5 kernels`, `7 slots in 40960 bytes`. */
  readonly result: string;
}

/** What {@link runPipeline} produces. */
export interface PipelineResult {
  /** The optimized graph (what the plan covers; the reference evaluates the input graph or this one). */
  readonly graph: Graph;
  /** Kernels in dispatch order. */
  readonly plan: KernelPlan;
  /** Arena placement of every tensor kept in memory. */
  readonly memory: MemoryPlan;
  /** Graph inputs the optimized graph still reads. */
  readonly inputs: readonly Node[];
  /** Parameters the optimized graph still reads. */
  readonly params: readonly Node[];
  /** Names of inputs and parameters of the input graph that the optimized graph no longer reads. */
  readonly unused: readonly string[];
  /** The steps run, in order. */
  readonly log: readonly PipelineLogEntry[];
}

/**
 * Compiles a graph into a kernel plan and a memory plan through one ordered list of steps:
 *
 * 1. `infer-and-validate`: reject a malformed graph before any pass relies on its types.
 * 2. `decompose` (when asked): later passes and the templates then see only primitive ops.
 * 3. `simplify`: fold constants and cancel no-op movement, so fusion sees fewer, larger groups.
 * 4. `eliminate-dead-code`: report the inputs the simplified graph no longer reads.
 * 5. `plan-fusion`: group nodes into template kernels (or one kernel per node with `fuse: false`).
 * 6. `plan-memory`: place every tensor in one arena with liveness-based reuse.
 *
 * @example
 * ```ts
 * const x = input('x', [4, 8]);
 * const { plan, memory } = runPipeline(makeGraph({ y: exp(x) }), { alignment: 256 });
 * console.log(formatKernelPlan(plan, memory));
 * ```
 */
export function runPipeline(graph: Graph, options: PipelineOptions = {}): PipelineResult {
  const log: PipelineLogEntry[] = [];
  let current = graph;
  const step = (name: string, reason: string, pass: (graph: Graph) => Graph) => {
    const nodesBefore = graphNodes(current).length;
    current = pass(current);
    if (options.verifyEachPass === true) verify(current);
    log.push({ step: name, reason, result: `${nodesBefore} -> ${graphNodes(current).length} nodes` });
  };

  step(
    'infer-and-validate',
    'reject a malformed graph before any pass relies on its types',
    inferAndValidate,
  );
  const decompose = options.decompose ?? false;
  if (decompose !== false) {
    step('decompose', 'later passes and the templates see only primitive ops', (input) =>
      decomposeExtensionOps(input, decompose === true ? undefined : decompose),
    );
  }
  step('simplify', 'fold constants and cancel no-op movement so fusion sees fewer nodes', simplify);
  const live = eliminateDeadCode(current, graph);
  step('eliminate-dead-code', 'report the inputs the simplified graph no longer reads', () => live.graph);

  const plan = planFusion(current, {
    fuse: options.fuse ?? true,
    ...(options.maxKernelOutputs === undefined ? {} : { maxKernelOutputs: options.maxKernelOutputs }),
    ...(options.fusionCosts === undefined ? {} : { costs: options.fusionCosts }),
  });
  log.push({
    step: 'plan-fusion',
    reason: 'group nodes into template kernels: fewer dispatches, fewer round trips to memory',
    result: `${plan.kernels.length} kernels`,
  });
  const memory = planMemory(plan, {
    ...(options.alignment === undefined ? {} : { alignment: options.alignment }),
    ...(options.halfStorage === true ? { halfStorage: true } : {}),
  });
  log.push({
    step: 'plan-memory',
    reason: 'place every tensor in one arena, reusing bytes of tensors that are no longer live',
    result: `${memory.slots.size} slots in ${memory.arenaBytes} bytes (unshared ${memory.unsharedBytes})`,
  });
  return {
    graph: current,
    plan,
    memory,
    inputs: live.inputs,
    params: live.params,
    unused: [...live.unusedInputs, ...live.unusedParams],
    log,
  };
}
