import { labelOf } from '../graph/label.js';
import type { Node } from '../graph/node.js';
import type { KernelPlan } from '../plan/kernel-plan.js';
import { nodeNames } from './node-names.js';

/**
 * The cost model's decisions of a plan, one line each (what `weft plan --explain` prints): the
 * matmul and operand, whether its prologue was fused or given a kernel of its own, and why.
 * Nodes are named as in `formatGraph(plan.graph)`.
 *
 * ```text
 * %25 matmul A = %23 binary.add: split: recomputing it (13 op units per element × 48 evaluations, ...) ...
 * ```
 */
export function formatFusionDecisions(plan: KernelPlan): string {
  const names = nodeNames(plan.graph);
  const label = (node: Node) => {
    const block = labelOf(node);
    return `${names.get(node) ?? '%?'} ${node.op}${typeof node.attrs.fn === 'string' ? `.${node.attrs.fn}` : ''}${block === undefined ? '' : ` block=${JSON.stringify(block)}`}`;
  };
  return (plan.decisions ?? [])
    .map(
      (decision) =>
        `${label(decision.matmul)} ${decision.operand} = ${label(decision.value)}: ${decision.reason}`,
    )
    .join('\n');
}
