import type { Node } from '../../graph/node.js';
import { shapesEqual } from '../../shape.js';
import type { Growing, PlannerState } from '../planner-state.js';
import { isPerElement, matmulRowDomain, reductionDomain } from '../reduction-domain.js';
import { recomputable } from './cones.js';
import { epilogueOfProducer, repeats } from './materialize.js';
import { fitsMatmul } from './matmul-epilogue.js';
import { fitsPrologue, takeMatmul } from './matmul-prologue.js';
import { fitsReduction, inDomain, takeReduction } from './reduction-row.js';

/**
 * Whether `candidate` joins the kernel; otherwise it is read (a source, or realized now). The
 * rules apply in the order of the planner's algorithm (see `fusion-planner.ts`).
 */
export function admit(state: PlannerState, kernel: Growing, candidate: Node): boolean {
  // Rule 1: filled constants are literals; other sources and realized nodes are read.
  if (candidate.op === 'constant') return true;
  const role = state.role(candidate);
  if (role === 'source') return false;
  if (state.realized.has(candidate)) {
    // Realized this round but evaluated many times here: materialized if it becomes an epilogue.
    if (role === 'pointwise' && !state.materialized.has(candidate) && repeats(state, kernel, candidate))
      state.deferred.add(candidate);
    return false;
  }
  // Rule 2: an epilogue value this kernel would evaluate many times is written by its producer.
  if (role === 'pointwise' && repeats(state, kernel, candidate)) {
    if (epilogueOfProducer(state, candidate)) {
      state.materialized.add(candidate);
      return state.realize(candidate);
    }
    state.deferred.add(candidate);
  }
  // Rule 3: a value with users outside the kernel is recomputed only when cheap.
  const sharedOutside = state.users.get(candidate)!.some((user) => !kernel.members.has(user));
  if (sharedOutside && (state.outputs.has(candidate) || !recomputable(state, candidate)))
    return state.realize(candidate);
  if (state.outputs.has(candidate) && !canWrite(state, kernel, candidate)) return state.realize(candidate);
  switch (role) {
    // Rule 4: elementwise and injective nodes.
    case 'pointwise':
      return true;
    // Rule 5: a matmul and its prologues.
    case 'matmul':
      return fitsMatmul(state, kernel, candidate)
        ? takeMatmul(state, kernel, candidate)
        : state.realize(candidate);
    // Rules 6 and 7: a reduction of a row kernel, or a row statistic of a matmul's A.
    case 'reduction': {
      const domain = reductionDomain(candidate)!;
      const fits =
        kernel.matmul === undefined
          ? fitsReduction(state, kernel, candidate, domain)
          : fitsPrologue(state, kernel, kernel.matmul, candidate, domain);
      return fits ? takeReduction(kernel, candidate, domain) : state.realize(candidate);
    }
    default:
      return state.realize(candidate);
  }
}

/**
 * Whether the kernel can write `node` as an extra output: in its matmul's epilogue, in its
 * reduction domain, or (with neither) in the root's shape. Checked again when a matmul or
 * reduction joins, for the outputs already taken in.
 */
function canWrite(state: PlannerState, kernel: Growing, node: Node): boolean {
  if (kernel.matmul !== undefined) {
    if (state.dependents(kernel, kernel.matmul).includes(node)) return true;
    const rows = matmulRowDomain(kernel.matmul);
    return rows !== undefined && isPerElement(rows, node.shape);
  }
  if (kernel.domain !== undefined) return inDomain(kernel.domain, node);
  return shapesEqual(node.shape, kernel.root.shape);
}
