import type { Node } from '../../graph/node.js';
import { decideMatmulPrologue } from '../cost/prologue-cost.js';
import { CHEAP_CONE_LIMIT } from '../node-role.js';
import type { Growing, PlannerState } from '../planner-state.js';
import {
  matmulRowDomain,
  PROLOGUE_REDUCTIONS,
  type ReductionDomain,
  reductionDomain,
  sameDomain,
} from '../reduction-domain.js';
import { hidesHeavyWork, pointwiseCone } from './cones.js';
import { epilogueOfProducer } from './materialize.js';
import { inDomain, ownRows } from './reduction-row.js';

/**
 * Takes `matmul` into the kernel and decides its prologues: a prologue is an elementwise chain,
 * plus (on A) reductions over A's rows; an operand whose chain hides heavier work is realized,
 * unless it is a small chain on A that the prologue recomputes ({@link fusesIntoPrologue}). Any
 * other prologue is fused only where the cost model says that recomputing it per block of output
 * costs less than a kernel of its own (`decideMatmulPrologue`); the decision is recorded.
 */
export function takeMatmul(state: PlannerState, kernel: Growing, matmul: Node): true {
  kernel.matmul = matmul;
  const rows = matmulRowDomain(matmul);
  matmul.inputs.forEach((operand, position) => {
    const allowed = (heavy: Node): boolean =>
      position === 0 && rows !== undefined && prologueReduction(state, heavy, rows);
    if (state.role(operand) !== 'pointwise' || state.realized.has(operand)) return;
    if (
      hidesHeavyWork(state, operand, allowed) &&
      (epilogueOfProducer(state, operand) ||
        !(position === 0 && fusesIntoPrologue(state, matmul, operand, allowed)))
    ) {
      state.realized.add(operand);
      return;
    }
    const decision = decideMatmulPrologue(
      state,
      state.costs,
      matmul,
      position === 0 ? 0 : 1,
      operand,
      allowed,
    );
    state.decisions.push(decision);
    if (!decision.fused) state.realized.add(operand);
  });
  return true;
}

/**
 * Whether A's elementwise chain `operand`, which reads another matmul's output, is recomputed in
 * the prologue instead of written by a kernel of its own: only this matmul reads it, its cone is
 * small ({@link CHEAP_CONE_LIMIT}), and it reaches no reduction the prologue cannot compute.
 * (SwiGLU's `silu(gate) · up` reads two slices of one matmul, which no epilogue can place.)
 */
function fusesIntoPrologue(
  state: PlannerState,
  matmul: Node,
  operand: Node,
  statistic: (heavy: Node) => boolean,
): boolean {
  if (!state.users.get(operand)!.every((user) => user === matmul)) return false;
  const cone = pointwiseCone(state, operand, statistic);
  return (
    cone !== undefined &&
    cone.nodes.size <= CHEAP_CONE_LIMIT + 1 &&
    cone.heavy.every((heavy) => state.role(heavy) === 'matmul' || state.realized.has(heavy))
  );
}

/** Whether `node` is a reduction a matmul prologue can compute over the rows of `rows`. */
function prologueReduction(state: PlannerState, node: Node, rows: ReductionDomain): boolean {
  const domain = state.role(node) === 'reduction' ? reductionDomain(node) : undefined;
  return (
    domain !== undefined &&
    node.op === 'reduce' &&
    PROLOGUE_REDUCTIONS.includes(String(node.attrs.fn)) &&
    sameDomain(domain, rows)
  );
}

/**
 * Rule 7: whether a reduction joins a matmul kernel as a row statistic of A: it reduces A's rows,
 * and everything in the kernel that depends on it (short of the matmul) is per-element or per-row
 * in A's rows and reaches the matmul only through A — never B or the epilogue.
 */
export function fitsPrologue(
  state: PlannerState,
  kernel: Growing,
  matmul: Node,
  reduction: Node,
  domain: ReductionDomain,
): boolean {
  const rows = matmulRowDomain(matmul);
  if (rows === undefined || !prologueReduction(state, reduction, rows)) return false;
  if (kernel.domain !== undefined && !sameDomain(kernel.domain, domain)) return false;
  const epilogue = new Set(state.dependents(kernel, matmul));
  const b = matmul.inputs[1];
  const side = state.dependents(kernel, reduction, matmul);
  return (
    ownRows(rows, reduction, side) &&
    side.every(
      (node) =>
        node !== matmul &&
        node !== b &&
        !epilogue.has(node) &&
        (state.role(node) === 'pointwise' || kernel.reductions.includes(node)) &&
        inDomain(rows, node),
    )
  );
}
