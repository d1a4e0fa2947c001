import { type BufferSlot, isSourceTensor, type MemoryPlan, WeftError } from '@weft/ir';

/**
 * Where a GPU program keeps its tensors: two buffers cut from the one address space of the
 * memory plan.
 *
 * - **sources** (`weft-sources`): graph inputs (state inputs included), parameters and constants,
 *   at their planned offsets. No kernel writes them: the host writes them (`writeBuffer`), and a
 *   state output is copied into its state input between runs (`copyBufferToBuffer`, outside any
 *   pass). Kernels bind them `var<storage, read>`.
 * - **arena** (`weft-arena`): intermediates and outputs, at their planned offset minus
 *   `arenaBase`. Every kernel writes its outputs here, so every arena binding of a dispatch is
 *   `read_write`, even a tensor the kernel only reads: WebGPU's usage-scope rule forbids one buffer
 *   bound both as read-only and as writable storage in one dispatch, while several writable
 *   bindings of it are allowed (as long as no writable range overlaps another binding's range, which
 *   the memory plan guarantees for tensors live in the same kernel). Binding those reads `read`
 *   would need a buffer per live range; the planner's sharing of bytes between dead tensors is
 *   worth more.
 *
 * The memory planner places sources first, below every other slot (see `isSourceTensor`), so the
 * split is a single cut at `arenaBase`.
 */
export interface BufferLayout {
  /** Bytes of the sources buffer: the top of the source slots. */
  readonly sourceBytes: number;
  /** Planned offset where the arena starts (aligned); arena offsets are planned offsets minus this. */
  readonly arenaBase: number;
}

/** Splits `memory` into the sources buffer and the arena. */
export function bufferLayout(memory: MemoryPlan): BufferLayout {
  let sourceBytes = 0;
  let lowestOther = Number.POSITIVE_INFINITY;
  for (const slot of memory.slots.values()) {
    if (isSourceTensor(slot.node)) sourceBytes = Math.max(sourceBytes, slot.offset + slot.bytes);
    else lowestOther = Math.min(lowestOther, slot.offset);
  }
  const arenaBase = Math.min(alignUp(sourceBytes, memory.alignment), memory.arenaBytes);
  if (lowestOther < arenaBase) {
    throw new WeftError(
      'internal',
      `the memory plan placed a computed tensor at byte ${lowestOther}, among the source tensors (below ${arenaBase})`,
    );
  }
  return { sourceBytes, arenaBase };
}

/** Which buffer holds `slot`'s tensor, and at what offset. */
export function locate(
  layout: BufferLayout,
  slot: BufferSlot,
  buffers: { readonly sources: GPUBuffer; readonly arena: GPUBuffer },
): { readonly buffer: GPUBuffer; readonly offset: number } {
  return isSourceTensor(slot.node)
    ? { buffer: buffers.sources, offset: slot.offset }
    : { buffer: buffers.arena, offset: slot.offset - layout.arenaBase };
}

function alignUp(bytes: number, alignment: number): number {
  return Math.ceil(bytes / alignment) * alignment;
}
