import type { Node } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';

/**
 * WGSL i32 text of the flat offset of row `(batch, head, position)` of a `[B, H, N, d]` attention
 * operand or result: `rowMajor` (the template's own text) for a tensor in memory as it is, or the
 * offset through the strided view the plan gives it (packed `[B, N, H·d]` heads, read or written
 * in place). The planner admits only views whose last axis is contiguous, so element `d` of the
 * row lies at the offset plus `d` either way.
 */
export function rowOffset(
  context: KernelContext,
  node: Node,
  batch: string,
  head: string,
  position: string,
  rowMajor: string,
): string {
  if (context.viewOf(node) === undefined) return rowMajor;
  return context.elementOffset(node, [batch, head, position, '0']);
}

/**
 * WGSL i32 text of the flat offset of row `position` of the workgroup's (batch, head) in a
 * `[B, H, Nq, dim]` operand or result (`rowOffset` with the entry's `b_i`, `h_i`, `bh` and `nq`).
 */
export function headRowOffset(context: KernelContext, node: Node, position: string, dim: number): string {
  return rowOffset(context, node, 'b_i', 'h_i', position, `(bh * nq + ${position}) * ${dim}`);
}
