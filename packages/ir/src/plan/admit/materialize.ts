import type { Node } from '../../graph/node.js';
import { epilogueLayout } from '../epilogue-layout.js';
import type { Growing, PlannerState } from '../planner-state.js';
import { hasOperandPath, pointwiseCone } from './cones.js';

/**
 * Rule 2 (cost), first half: whether a kernel evaluates `candidate` more than once per element: something in it that
 * depends on the candidate is a matmul (each operand element is loaded once per output block of
 * the other axis) or a reduction (each element is read by every statistics pass).
 */
export function repeats(state: PlannerState, kernel: Growing, candidate: Node): boolean {
  return state.someDependent(kernel, candidate, (node) => {
    const role = state.role(node);
    return role === 'matmul' || role === 'reduction';
  });
}

/**
 * Whether the unrealized elementwise cone of `node` is the epilogue of one matmul that nothing
 * outside the cone reads: that matmul's kernel can write `node` at the cost of one store, where
 * recomputing the cone costs a load of each of its inputs at every evaluation.
 */
export function epilogueOfProducer(state: PlannerState, node: Node): boolean {
  const cone = pointwiseCone(state, node);
  if (cone === undefined || cone.heavy.length !== 1) return false;
  const matmul = cone.heavy[0]!;
  if (state.role(matmul) !== 'matmul') return false;
  const inside = (user: Node): boolean => cone.nodes.has(user);
  // Side inputs of the epilogue (a bias, an embedding) may be shared; the epilogue itself not.
  const epilogue = state.sorted(cone.nodes).filter((member) => hasOperandPath(member, matmul, cone.nodes));
  return (
    state.users.get(matmul)!.every(inside) &&
    epilogue.every((member) => member === node || state.users.get(member)!.every(inside)) &&
    epilogueLayout(matmul, epilogue) !== undefined
  );
}
