import { byteSize } from '../dtype.js';
import { SpecError } from '../errors.js';
import type { Node } from '../graph/node.js';
import { isValueSource } from '../ops/source-groups.js';
import { maxElementCount } from '../shape.js';
import { halfStoredBytes, halfStoredTensors } from './half-storage.js';
import type { BufferSlot, KernelPlan, MemoryPlan } from './kernel-plan.js';

/** Options of {@link planMemory}. */
export interface MemoryOptions {
  /**
   * Alignment of every offset in bytes, a power of two (default 256, WebGPU's
   * `minStorageBufferOffsetAlignment` default, so each tensor can be bound at its offset).
   */
  readonly alignment?: number;
  /**
   * f16 storage: the f32 intermediates and parameters ({@link halfStoredTensors}) take 2 bytes per element, rounded
   * up to 4-byte words, and their slots are marked `halfStored`. Default false.
   */
  readonly halfStorage?: boolean;
}

/**
 * Places every tensor a {@link KernelPlan} keeps in memory in one arena, reusing bytes between
 * tensors whose lifetimes do not overlap.
 *
 * Liveness is over kernel indices, inclusive: graph inputs, parameters and `literal` constants live
 * for the whole program; a kernel's output lives from its kernel to the last kernel that reads it,
 * and graph outputs to the end. Filled `constant` nodes are literals in kernels and take no memory.
 * Sizes come from the dims' maxima (`maxElementCount × byteSize`).
 *
 * Placement is greedy by size with best fit (as in TensorFlow Lite's arena planner): the
 * whole-program tensors first, then the rest from largest to smallest, each at the smallest aligned
 * gap left by the placed tensors whose lifetimes overlap its own, or above them all.
 *
 * @example
 * ```ts
 * const graph = makeGraph({ y: exp(input('x', [4, 8])) });
 * const memory = planMemory(planFusion(graph), { alignment: 256 });
 * memory.arenaBytes; // bytes of the one GPU buffer
 * ```
 */
export function planMemory(plan: KernelPlan, options: MemoryOptions = {}): MemoryPlan {
  const alignment = options.alignment ?? 256;
  if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    throw new SpecError('memory alignment must be a power of two', {
      expected: '1, 2, 4, ... 256',
      actual: alignment,
    });
  }
  const lifetimes = collectLifetimes(
    plan,
    options.halfStorage === true ? halfStoredTensors(plan) : new Set(),
  );
  const placed: BufferSlot[] = [];
  // The same slots by offset, ties in placement order (what a stable sort of `placed` gives).
  const byOffset: BufferSlot[] = [];
  for (const lifetime of placementOrder(lifetimes, alignment)) {
    const slot = { ...lifetime, offset: bestFitOffset(lifetime, byOffset, alignment) };
    placed.push(slot);
    byOffset.splice(upperBound(byOffset, slot.offset), 0, slot);
  }
  const align = (bytes: number) => alignUp(bytes, alignment);
  const top = placed.reduce((end, slot) => Math.max(end, slot.offset + slot.bytes), 0);
  const lastKernel = Math.max(plan.kernels.length - 1, 0);
  // Bytes live at each kernel, as changes at the kernels where slots start and end living.
  const change = new Array<number>(lastKernel + 2).fill(0);
  for (const slot of placed) {
    if (slot.liveFrom > lastKernel || slot.liveTo < 0 || slot.liveFrom > slot.liveTo) continue;
    change[Math.max(slot.liveFrom, 0)]! += align(slot.bytes);
    change[Math.min(slot.liveTo, lastKernel) + 1]! -= align(slot.bytes);
  }
  let peakLiveBytes = 0;
  let liveBytes = 0;
  for (let kernel = 0; kernel <= lastKernel; kernel++) {
    liveBytes += change[kernel]!;
    peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
  }
  return {
    alignment,
    arenaBytes: align(top),
    unsharedBytes: placed.reduce((sum, slot) => sum + align(slot.bytes), 0),
    peakLiveBytes,
    slots: new Map(orderLikePlan(placed, lifetimes).map((slot) => [slot.node, slot])),
  };
}

// ---------------------------------------------------------------------------------------------
// Implementation

type Lifetime = Omit<BufferSlot, 'offset'>;

/** A source tensor's role: named sources by their op (`input`, `param`), constants `const`. */
function roleOfSource(node: Node): BufferSlot['role'] | undefined {
  if (!isSourceTensor(node)) return undefined;
  return isValueSource(node) ? 'const' : (node.op as 'input' | 'param');
}

/**
 * Whether `node` is a source tensor: a graph input, a parameter or a materialized constant. Sources
 * live for the whole program, no kernel ever writes them, and {@link planMemory} places them first,
 * in `[0, top of the sources)`, below every other slot, so a runtime can keep them in a buffer of
 * their own that kernels bind read-only.
 */
export function isSourceTensor(node: Node): boolean {
  return node.def.fusion === 'source';
}

/** Each tensor's role, size and live interval, in first-touch order. */
function collectLifetimes(plan: KernelPlan, halfStored: ReadonlySet<Node>): Lifetime[] {
  const last = Math.max(plan.kernels.length - 1, 0);
  const graphOutputs = new Set(Object.values(plan.graph.outputs));
  const lifetimes = new Map<Node, { -readonly [K in keyof Lifetime]: Lifetime[K] }>();
  const touch = (node: Node, role: BufferSlot['role'], from: number, to: number) => {
    const existing = lifetimes.get(node);
    if (existing === undefined) {
      const half = halfStored.has(node);
      lifetimes.set(node, {
        node,
        role,
        bytes: half ? halfStoredBytes(node) : maxElementCount(node.shape) * byteSize(node.dtype),
        liveFrom: from,
        liveTo: to,
        ...(half ? { halfStored: true as const } : {}),
      });
    } else {
      existing.liveFrom = Math.min(existing.liveFrom, from);
      existing.liveTo = Math.max(existing.liveTo, to);
    }
  };
  for (const kernel of plan.kernels) {
    for (const input of kernel.inputs) {
      const sourceRole = roleOfSource(input);
      if (sourceRole !== undefined) touch(input, sourceRole, 0, last);
      else touch(input, graphOutputs.has(input) ? 'output' : 'intermediate', kernel.id, kernel.id);
    }
    for (const output of kernel.outputs) {
      touch(
        output,
        graphOutputs.has(output) ? 'output' : 'intermediate',
        kernel.id,
        graphOutputs.has(output) ? last : kernel.id,
      );
    }
  }
  // A graph output that is a source (an input passed through) still needs its bytes.
  for (const output of graphOutputs) {
    const sourceRole = roleOfSource(output);
    if (sourceRole !== undefined) touch(output, sourceRole, 0, last);
  }
  return [...lifetimes.values()];
}

/** Whole-program tensors first, then by decreasing size; ties by first touch (deterministic). */
function placementOrder(lifetimes: readonly Lifetime[], alignment: number): Lifetime[] {
  const wholeProgram = (lifetime: Lifetime) =>
    lifetime.role === 'input' || lifetime.role === 'param' || lifetime.role === 'const';
  return lifetimes
    .map((lifetime, index) => ({ lifetime, index }))
    .sort(
      (a, b) =>
        Number(wholeProgram(b.lifetime)) - Number(wholeProgram(a.lifetime)) ||
        alignUp(b.lifetime.bytes, alignment) - alignUp(a.lifetime.bytes, alignment) ||
        a.index - b.index,
    )
    .map(({ lifetime }) => lifetime);
}

/**
 * The start of the smallest aligned gap that fits, among slots live at the same time; else above
 * them. `byOffset`: the placed slots sorted by offset.
 */
function bestFitOffset(lifetime: Lifetime, byOffset: readonly BufferSlot[], alignment: number): number {
  let best: { offset: number; gap: number } | undefined;
  let cursor = 0;
  for (const slot of byOffset) {
    if (slot.liveFrom > lifetime.liveTo || lifetime.liveFrom > slot.liveTo) continue;
    const start = alignUp(cursor, alignment);
    const gap = slot.offset - start;
    if (gap >= lifetime.bytes && (best === undefined || gap < best.gap)) best = { offset: start, gap };
    cursor = Math.max(cursor, slot.offset + slot.bytes);
  }
  return best?.offset ?? alignUp(cursor, alignment);
}

/** The index after the last slot of `sorted` (by offset) whose offset is at most `offset`. */
function upperBound(sorted: readonly BufferSlot[], offset: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]!.offset <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function orderLikePlan(placed: readonly BufferSlot[], lifetimes: readonly Lifetime[]): BufferSlot[] {
  const byNode = new Map(placed.map((slot) => [slot.node, slot]));
  return lifetimes.map((lifetime) => byNode.get(lifetime.node)!);
}

function alignUp(bytes: number, alignment: number): number {
  return Math.ceil(bytes / alignment) * alignment;
}
