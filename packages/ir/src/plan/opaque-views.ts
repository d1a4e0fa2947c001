import type { Node } from '../graph/node.js';
import { defOf } from './def-of.js';
import type { PlannerState } from './planner-state.js';
import { operandView, resultView, type StridedView } from './strided-view.js';

/**
 * Realizes what the kernel of opaque `node` reads and writes. An operand its op may read through
 * a view (`OpDef.viewOperands`) that is a strided view of a tensor is read there: the tensor is
 * realized, the view is not (other kernels that need the view recompute it). A result its op may
 * write through a view (`OpDef.writesThroughView`) whose only readers are a chain of reshapes and
 * permutes is written at the chain's end. Other operands are realized as they are.
 */
export function realizeOpaque(state: PlannerState, node: Node): void {
  const def = defOf(node);
  const views = new Map<Node, StridedView>();
  const viewable = new Set(def.viewOperands?.(node) ?? []);
  node.inputs.forEach((operand, position) => {
    const view = viewable.has(position) ? contiguousRows(operandView(operand)) : undefined;
    const read = view?.base ?? operand;
    if (view !== undefined) views.set(operand, view);
    if (state.role(read) !== 'source') state.realized.add(read);
  });
  state.realized.add(node);
  const chain = def.writesThroughView?.(node) === true ? resultChain(state, node) : undefined;
  const written = chain === undefined ? undefined : contiguousRows(resultView(node, chain));
  if (chain !== undefined && written !== undefined) {
    views.set(node, written);
    const target = chain[chain.length - 1]!;
    state.viewWrites.set(target, { op: node, chain });
    state.realized.add(target);
  }
  if (views.size > 0) state.views.set(node, views);
  else state.views.delete(node);
}

/** `view` when its last axis is contiguous (templates address a row's elements as offset + d), else `undefined`. */
function contiguousRows(view: StridedView | undefined): StridedView | undefined {
  const last = view?.strides[view.strides.length - 1];
  return last !== undefined && last.coefficient === 1 && last.factors.length === 0 ? view : undefined;
}

/** The reshapes and permutes that alone read `node`, one user each, up to the last; nodes on the way are no graph outputs. */
function resultChain(state: PlannerState, node: Node): Node[] | undefined {
  const chain: Node[] = [];
  let current = node;
  for (;;) {
    const users = state.users.get(current)!;
    const next = users[0];
    if (users.length !== 1 || next === undefined || (next.op !== 'reshape' && next.op !== 'permute')) break;
    if (state.outputs.has(current)) break;
    chain.push(next);
    current = next;
  }
  return chain.length === 0 ? undefined : chain;
}
