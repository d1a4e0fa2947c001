import type { Node } from '../graph/node.js';
import { admit } from './admit/admit.js';
import { takeMatmul } from './admit/matmul-prologue.js';
import { takeReduction } from './admit/reduction-row.js';
import type { KernelDraft } from './kernel-draft.js';
import type { KernelTemplate } from './kernel-plan.js';
import type { NodeRole } from './node-role.js';
import type { Growing, PlannerState } from './planner-state.js';
import { type ReductionDomain, reductionDomain } from './reduction-domain.js';

/**
 * Grows the kernel of realized `root` backwards, visiting candidates in decreasing topological
 * position (so every user of a candidate that belongs to the kernel is already known): each is
 * admitted or read. An opaque root takes in only its filled constants.
 */
export function growKernel(state: PlannerState, root: Node): KernelDraft {
  const kernel: Growing = {
    root,
    members: new Set([root]),
    matmul: undefined,
    domain: undefined,
    reductions: [],
  };
  const reads = new Set<Node>();
  if (state.role(root) === 'opaque') return opaqueKernel(state, kernel, reads);
  if (state.role(root) === 'matmul') takeMatmul(state, kernel, root);
  if (state.role(root) === 'reduction') takeReduction(kernel, root, reductionDomain(root)!);
  const needed = new Set(root.inputs);
  for (let index = state.position.get(root)! - 1; index >= 0 && needed.size > 0; index--) {
    const candidate = state.nodes[index]!;
    if (!needed.delete(candidate)) continue;
    if (admit(state, kernel, candidate)) {
      kernel.members.add(candidate);
      for (const operand of candidate.inputs) needed.add(operand);
    } else {
      reads.add(candidate);
    }
  }
  return finish(state, kernel, reads);
}

/** The kernel of `node` alone (the unfused baseline): its filled constants are literals. */
export function singleNodeKernel(state: PlannerState, node: Node): KernelDraft {
  // An operand used twice (x * x) is one tensor to read, not two.
  const operands = [...new Set(node.inputs)];
  const constants = operands.filter((operand) => operand.op === 'constant');
  const reads = operands.filter((operand) => operand.op !== 'constant');
  const role = state.role(node);
  const domain = role === 'reduction' ? reductionDomain(node) : undefined;
  const matmul = role === 'matmul' ? node : undefined;
  return draft(state, node, [...constants, node], reads, domain === undefined ? [] : [node], matmul, domain);
}

/**
 * The kernel of an opaque root: its filled constants are literals; an operand read through a
 * strided view joins with its view chain (the tensor under it is read), and a result written
 * through a view makes the chain members and its end the output.
 */
function opaqueKernel(state: PlannerState, kernel: Growing, reads: Set<Node>): KernelDraft {
  const root = kernel.root;
  const views = state.views.get(root);
  for (const operand of root.inputs) {
    const view = views?.get(operand);
    if (operand.op === 'constant') kernel.members.add(operand);
    else if (view === undefined) reads.add(operand);
    else {
      reads.add(view.base);
      for (let node = operand; node !== view.base; node = node.inputs[0]!) kernel.members.add(node);
    }
  }
  const written = views?.get(root);
  const chain = written === undefined ? undefined : state.viewWrites.get(written.base)?.chain;
  for (const node of chain ?? []) kernel.members.add(node);
  const drafted = draft(
    state,
    root,
    state.sorted(kernel.members),
    state.sorted(reads),
    [],
    undefined,
    undefined,
    written === undefined ? [root] : [written.base],
  );
  return views === undefined ? drafted : { ...drafted, views };
}

function finish(state: PlannerState, kernel: Growing, reads: ReadonlySet<Node>): KernelDraft {
  const members = state.sorted(kernel.members);
  const outputs = state.sorted(state.writtenMembers(kernel));
  const last = kernel.reductions.reduce<Node | undefined>(
    (latest, node) =>
      latest === undefined || state.position.get(node)! > state.position.get(latest)! ? node : latest,
    undefined,
  );
  return draft(
    state,
    kernel.root,
    members,
    state.sorted(reads),
    last === undefined ? [] : [last],
    kernel.matmul,
    kernel.domain,
    outputs,
  );
}

function draft(
  state: PlannerState,
  root: Node,
  nodes: readonly Node[],
  inputs: readonly Node[],
  reductions: readonly Node[],
  matmul: Node | undefined,
  domain: ReductionDomain | undefined,
  outputs: readonly Node[] = [root],
): KernelDraft {
  return {
    template: templateOf(root, state.role(root), matmul, domain),
    anchor: matmul ?? reductions[0] ?? root,
    nodes,
    inputs,
    outputs,
  };
}

function templateOf(
  root: Node,
  role: NodeRole,
  matmul: Node | undefined,
  domain: ReductionDomain | undefined,
): KernelTemplate {
  if (role === 'opaque') return root.op;
  if (matmul !== undefined) return 'matmul';
  if (domain !== undefined) return domain.trailing ? 'row' : 'reduce';
  return 'elementwise';
}
