import type { Node } from '../../graph/node.js';
import { epilogueLayout } from '../epilogue-layout.js';
import type { Growing, PlannerState } from '../planner-state.js';

/**
 * Rule 5: whether a matmul joins the kernel. The kernel has no matmul and no reduction yet, and
 * every kernel node that depends on the matmul (its epilogue) is elementwise or a placing op and
 * a function of one matmul element (`epilogueLayout`); everything the kernel writes is the matmul
 * or in its epilogue.
 */
export function fitsMatmul(state: PlannerState, kernel: Growing, matmul: Node): boolean {
  if (kernel.matmul !== undefined || kernel.reductions.length > 0) return false;
  const epilogue = state.sorted(state.dependents(kernel, matmul));
  const epilogueFits =
    epilogue.every((node) => state.role(node) === 'pointwise') &&
    epilogueLayout(matmul, epilogue) !== undefined;
  return (
    epilogueFits && state.writtenMembers(kernel).every((node) => node === matmul || epilogue.includes(node))
  );
}
