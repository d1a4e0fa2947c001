import type { Node } from '../graph/node.js';
import { getOp } from '../ops/op-table.js';
import { normalizeAxis, type Shape, shapesEqual } from '../shape.js';

/**
 * The iteration space of a reduction as the fusion planner sees it: the shape it reads, the axes it
 * reduces, and the shapes of its per-row results (with and without the reduced axes kept as 1).
 */
export interface ReductionDomain {
  /** Shape of the reduced operand (the per-element domain). */
  readonly input: Shape;
  /** Reduced axes, normalized and ascending. */
  readonly axes: readonly number[];
  /** Whether the reduced axes are the trailing ones (a row per outer index: the `row` template). */
  readonly trailing: boolean;
  /** Per-row shapes: the reduced axes dropped, and kept as size 1. */
  readonly perRow: readonly Shape[];
}

/**
 * The domain of a reduction node, read from its `axes` (`reduce`) or `axis` (`argmax`, and
 * extension reductions that follow either convention). `undefined` when the node names no axes:
 * the planner then gives it a kernel of its own.
 */
export function reductionDomain(node: Node): ReductionDomain | undefined {
  if (getOp(node.op).fusion !== 'reduction' || node.inputs.length !== 1) return undefined;
  const input = node.inputs[0]!.shape;
  const raw = Array.isArray(node.attrs.axes)
    ? node.attrs.axes
    : typeof node.attrs.axis === 'number'
      ? [node.attrs.axis]
      : [];
  if (raw.length === 0 || !raw.every((axis) => typeof axis === 'number')) return undefined;
  const axes = [
    ...new Set((raw as number[]).map((axis) => normalizeAxis(axis, input.length, { tensor: node.op }))),
  ].sort((a, b) => a - b);
  const trailing = axes.every((axis, index) => axis === input.length - axes.length + index);
  const reduced = new Set(axes);
  return {
    input,
    axes,
    trailing,
    perRow: [
      input.filter((_, axis) => !reduced.has(axis)),
      input.map((dim, axis) => (reduced.has(axis) ? 1 : dim)),
    ],
  };
}

/** Whether two reductions read the same domain and reduce the same axes (they can share a `row` kernel). */
export function sameDomain(a: ReductionDomain, b: ReductionDomain): boolean {
  return (
    shapesEqual(a.input, b.input) &&
    a.axes.length === b.axes.length &&
    a.axes.every((axis, i) => axis === b.axes[i])
  );
}

/** Whether `shape` is one of the domain's per-row shapes. */
export function isPerRow(domain: ReductionDomain, shape: Shape): boolean {
  return domain.perRow.some((candidate) => shapesEqual(candidate, shape));
}

/** Whether `shape` is the domain's per-element shape. */
export function isPerElement(domain: ReductionDomain, shape: Shape): boolean {
  return shapesEqual(domain.input, shape);
}

/**
 * The rows of a matmul's A operand as a reduction domain (`[..., M, K]` reduced over K): the
 * statistics a matmul kernel can compute in its prologue, one per row of its row block. `undefined`
 * when A is stored transposed (its rows are not contiguous runs of K) or broadcast over the batch
 * (each batch's workgroups would redo, and rewrite, the same rows).
 */
export function matmulRowDomain(matmul: Node): ReductionDomain | undefined {
  if (getOp(matmul.op).fusion !== 'matmul' || matmul.attrs.transposeA === true) return undefined;
  const a = matmul.inputs[0]!;
  if (!shapesEqual(a.shape.slice(0, -2), matmul.shape.slice(0, -2))) return undefined;
  const rowAxis = a.shape.length - 1;
  return {
    input: a.shape,
    axes: [rowAxis],
    trailing: true,
    perRow: [a.shape.slice(0, -1), [...a.shape.slice(0, -1), 1]],
  };
}

/** Reduction functions a matmul prologue computes per row (see {@link matmulRowDomain}). */
export const PROLOGUE_REDUCTIONS: readonly string[] = ['sum', 'mean', 'max', 'min'];
