import { byteSize } from '../../dtype.js';
import type { Node } from '../../graph/node.js';
import { maxElementCount } from '../../shape.js';
import { pointwiseCone } from '../admit/cones.js';
import type { PlannerState } from '../planner-state.js';
import { coneUnitsPerElement, EXPR_OP_UNITS } from './element-cost.js';
import type { FusionCostModel } from './fusion-cost-model.js';
import type { FusionDecision } from './fusion-decision.js';

/**
 * The cost model's decision for the prologue of operand `position` of `matmul` (`value`, an
 * unrealized elementwise node): fuse it unless recomputing it costs more than writing it once.
 *
 * - **Fused**, the kernel evaluates the prologue every time it loads an element: once per block of
 *   output columns for A (`columnsPerEvaluation`), per block of rows for B; and computes A's row
 *   statistics (norms, softmax) once per workgroup of `statisticColumns` columns. The extra cost is
 *   the evaluations beyond the first, × the prologue's op units per element (`EXPR_OP_UNITS`:
 *   arithmetic, index math, loads of side inputs), × `opNs`.
 * - **Split**, a kernel of its own (a `row` kernel for a norm, an `elementwise` one otherwise)
 *   evaluates it once and writes it; the matmul reads it. The extra cost is a dispatch and the
 *   operand's bytes written and read again.
 *
 * Sizes are taken at the dims' maxima. `statistic` names the reductions the prologue may compute
 * as row statistics of A (rule 7).
 */
export function decideMatmulPrologue(
  state: PlannerState,
  costs: FusionCostModel,
  matmul: Node,
  position: 0 | 1,
  value: Node,
  statistic: (heavy: Node) => boolean,
): FusionDecision {
  const operand = position === 0 ? 'A' : 'B';
  const decision = (fused: boolean, fusedNs: number, splitNs: number, reason: string): FusionDecision => ({
    kind: 'matmul-prologue',
    matmul,
    operand,
    value,
    fused,
    fusedNs,
    splitNs,
    reason,
  });
  const perElement = pointwiseCone(state, value);
  if (perElement === undefined) return decision(true, 0, 0, 'fused: the prologue is too large to price');

  const { rows, columns, depth, outputRows } = matmulExtent(matmul);
  const { rowsPerEvaluation, columnsPerEvaluation, statisticColumns } = costs.matmul;
  // Each output row (A) or column (B) evaluates its K operand elements once per block of the other axis.
  const evaluations =
    position === 0
      ? outputRows * depth * Math.ceil(columns / columnsPerEvaluation)
      : (outputRows / rows) * columns * depth * Math.ceil(rows / rowsPerEvaluation);
  const elements = maxElementCount(value.shape);
  const statistics = position === 0 ? prologueStatistics(state, value, statistic) : [];
  const elementUnits = coneUnitsPerElement(perElement.nodes, value, new Set(statistics));
  let fusedUnits = Math.max(0, evaluations - elements) * elementUnits;

  if (statistics.length > 0) {
    const statisticUnits = statistics.reduce(
      (sum, reduction) => sum + statisticPassUnits(state, reduction),
      0,
    );
    fusedUnits += (Math.ceil(columns / statisticColumns) - 1) * statisticUnits;
  }
  const fusedNs = fusedUnits * costs.opNs;
  const splitNs = costs.dispatchNs + 2 * elements * byteSize(value.dtype) * costs.byteNs;
  const fused = fusedNs <= splitNs;
  const what =
    `${formatUnits(elementUnits)} op units per element × ${formatCount(evaluations / Math.max(1, elements))} evaluations` +
    (statistics.length > 0 ? `, ${statistics.length} row statistics per ${statisticColumns} columns` : '');
  const reason = fused
    ? `fused: recomputing it (${what}) costs ${formatNs(fusedNs)} ≤ ${formatNs(splitNs)} for a kernel of its own (${costs.name})`
    : `split: recomputing it (${what}) would cost ${formatNs(fusedNs)} > ${formatNs(splitNs)} for a kernel of its own (${costs.name})`;
  return decision(fused, fusedNs, splitNs, reason);
}

/** Output rows M, columns N, contraction depth K, and rows of every batch (batch × M), at the maxima. */
function matmulExtent(matmul: Node): { rows: number; columns: number; depth: number; outputRows: number } {
  const shape = matmul.shape;
  const rows = Math.max(1, maxElementCount(shape.slice(-2, -1)));
  const columns = Math.max(1, maxElementCount(shape.slice(-1)));
  const a = matmul.inputs[0]!.shape;
  const depth = Math.max(
    1,
    maxElementCount(matmul.attrs.transposeA === true ? a.slice(-2, -1) : a.slice(-1)),
  );
  return { rows, columns, depth, outputRows: maxElementCount(shape) / columns };
}

/** The reductions A's prologue computes as row statistics: those `statistic` allows in its cone. */
function prologueStatistics(state: PlannerState, value: Node, statistic: (heavy: Node) => boolean): Node[] {
  const found = new Set<Node>();
  const stack = [value];
  const seen = new Set<Node>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const operand of node.inputs) {
      const role = state.role(operand);
      if (role === 'source' || state.realized.has(operand)) continue;
      if (role === 'pointwise') stack.push(operand);
      else if (statistic(operand)) {
        found.add(operand);
        stack.push(operand);
      }
    }
  }
  return [...found];
}

/** Op units of one pass of a row statistic over its operand: the operand's chain (or a load) and the accumulation. */
function statisticPassUnits(state: PlannerState, reduction: Node): number {
  const operand = reduction.inputs[0]!;
  const elements = maxElementCount(operand.shape);
  const chain =
    state.role(operand) === 'pointwise' && !state.realized.has(operand)
      ? pointwiseCone(state, operand)
      : undefined;
  const held = new Set(chain?.heavy ?? []);
  const units = chain === undefined ? EXPR_OP_UNITS.load : coneUnitsPerElement(chain.nodes, operand, held);
  return elements * (units + EXPR_OP_UNITS.simple);
}

function formatNs(ns: number): string {
  return ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(1)} µs`
      : `${ns.toFixed(0)} ns`;
}

function formatUnits(units: number): string {
  return units >= 10 ? units.toFixed(0) : units.toFixed(1);
}

function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count) : count.toFixed(1);
}
