import type { Node } from '../../graph/node.js';
import { CHEAP_CONE_LIMIT } from '../node-role.js';
import type { PlannerState } from '../planner-state.js';

/** An elementwise cone and the heavy (non-elementwise) nodes at its edge. */
export interface PointwiseCone {
  readonly nodes: Set<Node>;
  readonly heavy: Node[];
}

/**
 * The elementwise nodes `node` is computed from, up to sources, realized values and heavy
 * (non-elementwise) nodes, which are listed apart; `through` names heavy nodes the cone continues
 * past (row statistics a prologue computes), not counted. `undefined` past 64 nodes.
 */
export function pointwiseCone(
  state: PlannerState,
  node: Node,
  through: (heavy: Node) => boolean = () => false,
): PointwiseCone | undefined {
  const nodes = new Set<Node>([node]);
  const heavy = new Set<Node>();
  const passed = new Set<Node>();
  const stack = [node];
  while (stack.length > 0) {
    for (const operand of stack.pop()!.inputs) {
      const role = state.role(operand);
      if (role === 'source' || nodes.has(operand) || passed.has(operand)) continue;
      if (role !== 'pointwise' && !state.realized.has(operand) && through(operand)) {
        passed.add(operand);
        stack.push(operand);
        continue;
      }
      if (role !== 'pointwise') {
        heavy.add(operand);
        continue;
      }
      if (state.realized.has(operand)) continue;
      nodes.add(operand);
      if (nodes.size > 64) return undefined;
      stack.push(operand);
    }
  }
  return { nodes, heavy: [...heavy] };
}

/** Whether `node` reads `source` through members of `through`. */
export function hasOperandPath(node: Node, source: Node, through: ReadonlySet<Node>): boolean {
  return node.inputs.some(
    (operand) => operand === source || (through.has(operand) && hasOperandPath(operand, source, through)),
  );
}

/**
 * Whether a shared node may be recomputed by each kernel that reads it: its unrealized
 * elementwise/injective cone is small ({@link CHEAP_CONE_LIMIT}). Reductions and matmuls at the
 * edge of the cone are realized, so the recomputed part never repeats heavy work.
 */
export function recomputable(state: PlannerState, node: Node): boolean {
  if (state.role(node) !== 'pointwise') return false;
  const cone = new Set<Node>([node]);
  const frontier: Node[] = [];
  const stack = [node];
  while (stack.length > 0) {
    for (const operand of stack.pop()!.inputs) {
      const role = state.role(operand);
      if (role === 'source' || state.realized.has(operand) || cone.has(operand)) continue;
      if (role !== 'pointwise') {
        frontier.push(operand);
        continue;
      }
      cone.add(operand);
      if (cone.size > CHEAP_CONE_LIMIT) return false;
      stack.push(operand);
    }
  }
  for (const heavy of frontier) state.realized.add(heavy);
  return true;
}

/** Whether the unrealized elementwise cone of `node` reaches a reduction or matmul (other than `allowed` ones). */
export function hidesHeavyWork(
  state: PlannerState,
  node: Node,
  allowed: (heavy: Node) => boolean = () => false,
): boolean {
  const seen = new Set<Node>();
  const stack = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const role = state.role(current);
    if (role === 'source' || state.realized.has(current) || seen.has(current)) continue;
    seen.add(current);
    if (role !== 'pointwise' && !allowed(current)) return true;
    stack.push(...current.inputs);
  }
  return false;
}
