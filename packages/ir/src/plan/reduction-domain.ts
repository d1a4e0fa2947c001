import type { Node } from '../graph/node.js';
import { normalizeAxis, type Shape, shapesEqual } from '../shape.js';
import { defOf } from './def-of.js';

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
  if (defOf(node).fusion !== 'reduction' || node.inputs.length !== 1) return undefined;
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
  if (defOf(matmul).fusion !== 'matmul' || matmul.attrs.transposeA === true) return undefined;
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

/**
 * Whether `shape` is a row-major reshape of a trailing domain's input (the same element count):
 * reshapes keep the row-major element order, so element `e` of either lies in row
 * `⌊e / row length⌋` and a `row` kernel computes it at the flat offset of its domain element
 * (GroupNorm's `[B, G, C/G, H, W]` folded back into `[B, C, H, W]`).
 */
export function isRowReshape(domain: ReductionDomain, shape: Shape): boolean {
  if (!domain.trailing) return false;
  return shapesEqual(domain.input, shape) || countKey(domain.input) === countKey(shape);
}

/**
 * Whether `node`, which uses the domain's statistics through `operand`, reads them for its own row:
 * an elementwise node reads an operand of its own shape, or per-row statistics kept as size-1 axes
 * of its rank (a per-row operand without them would broadcast along the columns); a reshape keeps
 * rows ({@link isRowReshape}). Anything else (a permute, a slice) may move elements across rows.
 */
export function readsOwnRow(domain: ReductionDomain, node: Node, operand: Node): boolean {
  const fusion = defOf(node).fusion;
  if (fusion === 'reduction') return true;
  if (fusion === 'elementwise') {
    return (
      shapesEqual(operand.shape, node.shape) ||
      (isPerRow(domain, operand.shape) &&
        operand.shape.length === node.shape.length &&
        (isPerElement(domain, node.shape) || isPerRow(domain, node.shape)))
    );
  }
  if (node.op !== 'reshape') return false;
  const rowsKept = isRowReshape(domain, operand.shape) && isRowReshape(domain, node.shape);
  return rowsKept || (isPerRow(domain, operand.shape) && isPerRow(domain, node.shape));
}

/** Element count as text: the static product and the sorted symbolic dim names. */
function countKey(shape: Shape): string {
  const symbolic = shape.flatMap((dim) => (typeof dim === 'number' ? [] : [dim.name])).sort();
  const product = shape.reduce<number>((count, dim) => (typeof dim === 'number' ? count * dim : count), 1);
  return [String(product), ...symbolic].join('*');
}
