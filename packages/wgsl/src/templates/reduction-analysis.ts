import {
  type Expr,
  flatIndex,
  indexVariable,
  type Kernel,
  type Node,
  type Shape,
  shapesEqual,
  UnsupportedError,
  unflattenIndex,
  variable,
} from '@weft/ir';
import { describe } from '../element-composer.js';
import { reductionScheduleOf } from './kernel-schedules.js';

/** Reduction functions a reduction kernel computes. */
export type ReductionFunction = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'logsumexp' | 'argmax';

/** One reduction of a kernel, in dispatch order; later ones may use earlier ones' results. */
export interface ReductionStep {
  /** The reduction node. */
  readonly node: Node;
  /** What it computes. */
  readonly fn: ReductionFunction;
  /** Its operand (full shape). */
  readonly operand: Node;
  /** The variable that holds its result inside the kernel. */
  readonly result: Expr;
}

/** How an output of a reduction kernel is indexed. */
export interface ReductionOutput {
  /** The output tensor. */
  readonly node: Node;
  /** `element`: one value per input element; `row`: one value per row (the reductions' shape). */
  readonly kind: 'element' | 'row';
  /** Its index in terms of row variables `r0..` and column variables `c0..`. */
  readonly index: readonly Expr[];
}

/** The iteration structure shared by the row and reduce templates. */
export interface ReductionAnalysis {
  readonly steps: readonly ReductionStep[];
  /** Shape of the reductions' operands. */
  readonly inputShape: Shape;
  /** Reduced axes of the operand, ascending. */
  readonly axes: readonly number[];
  /** Dims of the kept axes (one row per element). */
  readonly rowShape: Shape;
  /** Dims of the reduced axes (one column per element). */
  readonly columnShape: Shape;
  /** The operand's index: kept axes read `r<k>`, reduced axes `c<k>`. */
  readonly fullIndex: readonly Expr[];
  readonly outputs: readonly ReductionOutput[];
}

/**
 * Reads the kernel's reductions from its schedule, checks that they share operand shape and axes,
 * and indexes its outputs by their placement (per-element or per-row).
 */
export function analyzeReductions(kernel: Kernel): ReductionAnalysis {
  const schedule = reductionScheduleOf(kernel);
  const reductions = schedule.reductions;
  if (reductions.length === 0) {
    throw new UnsupportedError(`kernel ${kernel.id}: a reduction template needs a reduction node`, {
      expected: 'reduce or argmax',
      actual: kernel.nodes.map(describe).join(', '),
    });
  }
  const first = reductions[0]!;
  const inputShape = first.inputs[0]!.shape;
  const axes = reducedAxesOf(first);
  const steps = reductions.map((node, position): ReductionStep => {
    const operand = node.inputs[0]!;
    const sameAxes = reducedAxesOf(node).join(',') === axes.join(',');
    if (!shapesEqual(operand.shape, inputShape) || !sameAxes) {
      throw new UnsupportedError(
        `kernel ${kernel.id}: reduction ${describe(node)} does not reduce the same axes of the same shape`,
        {
          expected: `axes [${axes.join(', ')}] of ${JSON.stringify(inputShape)}`,
          actual: `axes [${reducedAxesOf(node).join(', ')}] of ${JSON.stringify(operand.shape)}`,
        },
      );
    }
    const fn = (node.op === 'argmax' ? 'argmax' : node.attrs.fn) as ReductionFunction;
    return { node, fn, operand, result: variable(`stat${position}`, node.dtype) };
  });
  const reduced = new Set(axes);
  const rowShape = inputShape.filter((_, axis) => !reduced.has(axis));
  const columnShape = inputShape.filter((_, axis) => reduced.has(axis));
  let row = 0;
  let column = 0;
  const fullIndex = inputShape.map((_, axis) =>
    indexVariable(reduced.has(axis) ? `c${column++}` : `r${row++}`),
  );
  const rowIndex = fullIndex.filter((_, axis) => !reduced.has(axis));
  const keptIndex = fullIndex.map((component, axis) =>
    reduced.has(axis) ? indexVariable('zero') : component,
  );
  const outputs = schedule.outputs.map(({ node, placement }): ReductionOutput => {
    switch (placement) {
      case 'element':
        return { node, kind: 'element', index: fullIndex };
      case 'row':
        return { node, kind: 'row', index: rowIndex };
      case 'row-kept':
        return { node, kind: 'row', index: keptIndex };
      case 'reshaped-element':
        // A reshape of the input (GroupNorm's groups folded back into channels) shares its
        // row-major element order: same flat offset, its own index.
        return { node, kind: 'element', index: unflattenIndex(flatIndex(fullIndex, inputShape), node.shape) };
    }
    throw new UnsupportedError(
      `kernel ${kernel.id}: output ${describe(node)} has neither the reduced nor the full shape`,
      {
        expected: `${JSON.stringify(inputShape)} or ${JSON.stringify(rowShape)}`,
        actual: JSON.stringify(node.shape),
      },
    );
  });
  return { steps, inputShape, axes, rowShape, columnShape, fullIndex, outputs };
}

/** Whether the reduced axes are the trailing ones (rows are contiguous in memory). */
export function reducesTrailingAxes(analysis: ReductionAnalysis): boolean {
  const rank = analysis.inputShape.length;
  return analysis.axes.every((axis, position) => axis === rank - analysis.axes.length + position);
}

function reducedAxesOf(node: Node): number[] {
  if (node.op === 'argmax') return [node.attrs.axis as number];
  return [...(node.attrs.axes as number[])];
}
