import type { Node } from '../graph/node.js';
import { type Shape, shapesEqual } from '../shape.js';
import { defOf } from './def-of.js';
import { epilogueLayout } from './epilogue-layout.js';
import { isRowReshape, type ReductionDomain, reductionDomain } from './reduction-domain.js';
import type { StridedView } from './strided-view.js';

/**
 * What a template needs to know of a kernel beyond its nodes: the fusion planner's decisions about
 * its iteration space, one variant per template kind (`kernel.schedule.kind`).
 */
export type KernelSchedule = ElementwiseSchedule | ReductionSchedule | MatmulSchedule | OpaqueSchedule;

/** Schedule of an `elementwise` kernel: one invocation per element of {@link ElementwiseSchedule.shape}. */
export interface ElementwiseSchedule {
  /** Discriminant: an `elementwise` kernel. */
  readonly kind: 'elementwise';
  /** The iteration space: the anchor's shape, which every output has. */
  readonly shape: Shape;
}

/**
 * Schedule of a `row` or `reduce` kernel: reductions over one domain, in dispatch order (each may
 * use the earlier ones), and where each output is written.
 */
export interface ReductionSchedule {
  /** Discriminant: a `row` kernel (trailing axes) or a `reduce` kernel (other axes). */
  readonly kind: 'row' | 'reduce';
  /** The domain of the first reduction (see `reductionDomain`); `undefined` when it names no axes. */
  readonly domain: ReductionDomain | undefined;
  /** The kernel's reduction nodes, in topological order. */
  readonly reductions: readonly Node[];
  /** The kernel's outputs, each with its place in the domain. */
  readonly outputs: readonly ReductionOutputPlacement[];
}

/**
 * Where an output of a reduction kernel lies in its domain: `element` (the operand's shape),
 * `row` (the reduced axes dropped), `row-kept` (the reduced axes kept as size 1), `reshaped-element`
 * (a row-major reshape of the operand: the same flat offset), or `undefined` (none of these; the
 * template rejects it).
 */
export interface ReductionOutputPlacement {
  /** The output tensor. */
  readonly node: Node;
  /** Its place. */
  readonly placement: 'element' | 'row' | 'row-kept' | 'reshaped-element' | undefined;
}

/** Schedule of a `matmul` kernel: its prologue statistics and epilogue layouts. */
export interface MatmulSchedule {
  /** Discriminant: a `matmul` kernel. */
  readonly kind: 'matmul';
  /** The matmul node (the anchor). */
  readonly matmul: Node;
  /** Kernel members that depend on the matmul, in topological order (the matmul excluded). */
  readonly epilogue: readonly Node[];
  /**
   * Each epilogue node (and the matmul) mapped to its layout (see `epilogueLayout`); `undefined`
   * when the epilogue is not a function of one matmul element.
   */
  readonly layouts: ReadonlyMap<Node, Node> | undefined;
  /** Outputs the epilogue writes (the matmul and nodes that depend on it). */
  readonly epilogueOutputs: readonly Node[];
  /** Outputs of A's prologue, written while loading A (a residual sum). */
  readonly prologueOutputs: readonly Node[];
  /** Row statistics of A computed before the K loop, in topological order. */
  readonly rowStatistics: readonly RowStatisticSchedule[];
}

/**
 * One row statistic of a matmul prologue: a reduction of A's rows (`fn` its reduction function,
 * `sum`, `mean`, `max` or `min` when the planner chose it), or a per-row value computed from
 * earlier statistics and literals only (`fn` is `row`: LayerNorm's `inverseSqrt(variance + eps)`).
 */
export interface RowStatisticSchedule {
  /** The reduction node, or the per-row node. */
  readonly node: Node;
  /** The reduction's `fn` attribute, or `row`. */
  readonly fn: string;
}

/** Schedule of a kernel of one op with its own template (scan, convolution, top-k, extension ops). */
export interface OpaqueSchedule {
  /** Discriminant: a kernel of one op with its own template. */
  readonly kind: 'opaque';
  /** The op node. */
  readonly op: Node;
  /** The op's operands (an operand read through a view is the view; see {@link OpaqueSchedule.views}). */
  readonly operands: readonly Node[];
  /** The op's results it computes (a result written through a view is the op node, not the view's end). */
  readonly outputs: readonly Node[];
  /**
   * Operands read and results written through strided views, by operand or result: the template
   * indexes them with `KernelContext.elementOffset`, which addresses the tensor under the view.
   */
  readonly views: ReadonlyMap<Node, StridedView>;
}

/** The parts of a kernel its schedule is derived from. */
export interface ScheduledParts {
  readonly template: string;
  readonly anchor: Node;
  readonly nodes: readonly Node[];
  readonly outputs: readonly Node[];
  readonly views?: ReadonlyMap<Node, StridedView>;
}

/**
 * The schedule of a kernel, from its template, anchor, nodes and outputs. Kernels of other templates
 * whose anchor is a reduction (an opaque reduction that names no axes) get a `reduce` schedule.
 */
export function scheduleKernel(kernel: ScheduledParts): KernelSchedule {
  switch (kernel.template) {
    case 'elementwise':
      return { kind: 'elementwise', shape: kernel.anchor.shape };
    case 'matmul':
      return matmulSchedule(kernel);
    case 'row':
      return reductionSchedule(kernel, 'row');
    default:
      if (kernel.template === 'reduce' || defOf(kernel.anchor).fusion === 'reduction')
        return reductionSchedule(kernel, 'reduce');
      return opaqueSchedule(kernel);
  }
}

function opaqueSchedule(kernel: ScheduledParts): OpaqueSchedule {
  const views = kernel.views ?? new Map<Node, StridedView>();
  // A view's end written by the kernel stands for the op result written through it.
  const resultOf = new Map<Node, Node>();
  for (const view of views.values())
    if (kernel.outputs.includes(view.base)) resultOf.set(view.base, view.view);
  return {
    kind: 'opaque',
    op: kernel.anchor,
    operands: kernel.anchor.inputs,
    outputs: kernel.outputs.map((output) => resultOf.get(output) ?? output),
    views,
  };
}

function reductionSchedule(kernel: ScheduledParts, kind: 'row' | 'reduce'): ReductionSchedule {
  const reductions = kernel.nodes.filter((node) => defOf(node).fusion === 'reduction');
  const first = reductions[0];
  const domain = first === undefined ? undefined : reductionDomain(first);
  return {
    kind,
    domain,
    reductions,
    outputs: kernel.outputs.map((node) => ({
      node,
      placement: first === undefined ? undefined : placementOf(first, domain, node.shape),
    })),
  };
}

function placementOf(
  first: Node,
  domain: ReductionDomain | undefined,
  shape: Shape,
): ReductionOutputPlacement['placement'] {
  const inputShape = first.inputs[0]!.shape;
  const reduced = new Set(reducedAxesOf(first));
  if (shapesEqual(shape, inputShape)) return 'element';
  if (
    shapesEqual(
      shape,
      inputShape.filter((_, axis) => !reduced.has(axis)),
    )
  )
    return 'row';
  if (
    shape.length === inputShape.length &&
    shape.every((dim, axis) => (reduced.has(axis) ? dim === 1 : dim === inputShape[axis]))
  )
    return 'row-kept';
  if (domain !== undefined && isRowReshape(domain, shape)) return 'reshaped-element';
  return undefined;
}

/** The reduced axes as the node's attributes name them (normalized and sorted by the builders). */
function reducedAxesOf(node: Node): number[] {
  if (node.op === 'argmax') return [node.attrs.axis as number];
  return [...((node.attrs.axes as number[] | undefined) ?? [])];
}

function matmulSchedule(kernel: ScheduledParts): MatmulSchedule {
  const matmul = kernel.anchor;
  const dependents = new Set<Node>([matmul]);
  for (const member of kernel.nodes) {
    if (member.inputs.some((input) => dependents.has(input))) dependents.add(member);
  }
  const epilogue = kernel.nodes.filter((node) => node !== matmul && dependents.has(node));
  return {
    kind: 'matmul',
    matmul,
    epilogue,
    layouts: epilogueLayout(matmul, epilogue),
    epilogueOutputs: kernel.outputs.filter((output) => dependents.has(output)),
    prologueOutputs: kernel.outputs.filter((output) => !dependents.has(output)),
    rowStatistics: rowStatistics(kernel),
  };
}

/**
 * The kernel's reductions, and the prologue nodes that depend only on them and literals (each
 * operand a reduction, a filled constant or another such node): one value per row, hoisted out of
 * the loop over K.
 */
function rowStatistics(kernel: ScheduledParts): RowStatisticSchedule[] {
  const statistics = new Set(kernel.nodes.filter((node) => defOf(node).fusion === 'reduction'));
  const perRow = new Set<Node>();
  for (const node of kernel.nodes) {
    if (defOf(node).fusion !== 'elementwise' || statistics.has(node)) continue;
    const fromRows = node.inputs.some((input) => statistics.has(input) || perRow.has(input));
    const onlyRows = node.inputs.every(
      (input) => statistics.has(input) || perRow.has(input) || input.op === 'constant',
    );
    if (fromRows && onlyRows) perRow.add(node);
  }
  return kernel.nodes
    .filter((node) => statistics.has(node) || perRow.has(node))
    .map((node) => ({ node, fn: perRow.has(node) ? 'row' : String(node.attrs.fn) }));
}
