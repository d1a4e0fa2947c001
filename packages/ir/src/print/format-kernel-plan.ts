import type { Node } from '../graph/node.js';
import { kernelBlockLabel } from '../plan/kernel-label.js';
import type { BufferSlot, Kernel, KernelPlan, MemoryPlan } from '../plan/kernel-plan.js';
import { formatType } from './format-graph.js';
import { nodeNames } from './node-names.js';

/**
 * A stable text form of a kernel plan: one block per kernel with its template, anchor, the nodes it
 * computes, and the tensors it reads and writes (with their arena placement when `memory` is
 * given), then the arena summary. A kernel whose nodes carry labels names its block
 * (`block="layers.0.attn"`, see `kernelBlockLabel`). Nodes are named as in `formatGraph(plan.graph)`.
 *
 * ```text
 * kernel 0: row anchor=%5 reduce.mean
 *   nodes: %1 reduce.mean, %2 binary.sub, ...
 *   reads: %0 f32[seq<=128, 64] @0+32768 (input)
 *   writes: %9 f32[seq<=128, 64] @32768+32768 (output)
 * arena: 65536 bytes (peak live 65536, unshared 65536, alignment 256)
 * ```
 */
export function formatKernelPlan(plan: KernelPlan, memory?: MemoryPlan): string {
  const names = nodeNames(plan.graph);
  const lines = plan.kernels.flatMap((kernel) => formatKernel(kernel, names, memory));
  if (memory !== undefined) {
    lines.push(
      `arena: ${memory.arenaBytes} bytes (peak live ${memory.peakLiveBytes}, unshared ${memory.unsharedBytes}, alignment ${memory.alignment})`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Implementation

function formatKernel(
  kernel: Kernel,
  names: ReadonlyMap<Node, string>,
  memory: MemoryPlan | undefined,
): string[] {
  const name = (node: Node) => names.get(node) ?? '%?';
  const label = (node: Node) =>
    `${name(node)} ${node.op}${typeof node.attrs.fn === 'string' ? `.${node.attrs.fn}` : ''}`;
  const tensor = (node: Node) => {
    const slot = memory?.slots.get(node);
    return slot === undefined
      ? `${name(node)} ${formatType(node)}`
      : `${name(node)} ${formatType(node)} ${formatSlot(slot)}`;
  };
  const block = kernelBlockLabel(kernel);
  return [
    `kernel ${kernel.id}: ${kernel.template} anchor=${label(kernel.anchor)}${block === undefined ? '' : ` block=${JSON.stringify(block)}`}`,
    `  nodes: ${kernel.nodes.map(label).join(', ')}`,
    `  reads: ${kernel.inputs.length === 0 ? '-' : kernel.inputs.map(tensor).join(', ')}`,
    `  writes: ${kernel.outputs.map(tensor).join(', ')}`,
  ];
}

function formatSlot(slot: BufferSlot): string {
  return `@${slot.offset}+${slot.bytes} (${slot.role})`;
}
