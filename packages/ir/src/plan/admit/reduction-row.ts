import type { Node } from '../../graph/node.js';
import type { Growing, PlannerState } from '../planner-state.js';
import {
  isPerRow,
  isRowReshape,
  type ReductionDomain,
  readsOwnRow,
  sameDomain,
} from '../reduction-domain.js';

/**
 * Rule 6: whether a reduction joins a kernel without a matmul. Every kernel node that depends on
 * it is per-element or per-row in its domain and reads the statistics of its own row; a second
 * reduction reduces the same trailing axes of the same shape; what the kernel writes lies in the
 * domain.
 */
export function fitsReduction(
  state: PlannerState,
  kernel: Growing,
  reduction: Node,
  domain: ReductionDomain,
): boolean {
  if (kernel.matmul !== undefined) return false;
  if (kernel.domain !== undefined && !(kernel.domain.trailing && sameDomain(kernel.domain, domain)))
    return false;
  const dependents = state.dependents(kernel, reduction);
  const dependentsFit = dependents.every(
    (node) =>
      (state.role(node) === 'pointwise' || state.role(node) === 'reduction') && inDomain(domain, node),
  );
  return (
    dependentsFit &&
    ownRows(domain, reduction, dependents) &&
    state.writtenMembers(kernel).every((node) => inDomain(domain, node))
  );
}

/** Records `reduction` as one of the kernel's reductions (the first sets its domain). */
export function takeReduction(kernel: Growing, reduction: Node, domain: ReductionDomain): true {
  kernel.domain ??= domain;
  kernel.reductions.push(reduction);
  return true;
}

/** Whether every node that uses the statistics of `reduction` reads those of its own row. */
export function ownRows(domain: ReductionDomain, reduction: Node, dependents: readonly Node[]): boolean {
  const carriers = new Set([reduction, ...dependents]);
  return dependents.every((node) =>
    node.inputs.every((operand) => !carriers.has(operand) || readsOwnRow(domain, node, operand)),
  );
}

/** Per-row, or (for a `row` kernel) per-element in the domain, possibly through a row-keeping reshape. */
export function inDomain(domain: ReductionDomain, node: Node): boolean {
  return isPerRow(domain, node.shape) || isRowReshape(domain, node.shape);
}
