import { type Dim, isSymbolic } from '../dim.js';
import type { Node } from '../graph/node.js';
import { sliceRange } from '../ops/slice-op.js';
import type { Shape } from '../shape.js';

/** One term of a stride or an offset: `coefficient × Π factors` (symbolic dims, bound at run time). */
export interface StrideTerm {
  /** The static part. */
  readonly coefficient: number;
  /** The symbolic dims multiplied in, sorted by name. */
  readonly factors: readonly Dim[];
}

/**
 * A tensor addressed in another tensor's memory: element `(i_0, …)` of {@link StridedView.view}
 * lies at flat offset `Σ offset + Σ_a i_a · strides[a]` of {@link StridedView.base}. An opaque op
 * reads an operand this way (packed QKV heads through a reshape and a permute) or writes its
 * result (merged heads), so no kernel copies the view.
 */
export interface StridedView {
  /** The tensor the op reads or writes (an operand, or the op's result). */
  readonly view: Node;
  /** The tensor in memory. */
  readonly base: Node;
  /** Terms summed into the offset of element 0. */
  readonly offset: readonly StrideTerm[];
  /** One stride per axis of `view`, in elements of `base`. */
  readonly strides: readonly StrideTerm[];
}

const VIEW_OPS = new Set(['reshape', 'permute', 'slice']);

/**
 * The operand `node` as a strided view of the first tensor up its chain of reshapes, permutes and
 * slices (positive steps); `undefined` when `node` is no such view or a step cannot be strided (a
 * reshape merging axes that are not contiguous).
 */
export function operandView(node: Node): StridedView | undefined {
  const chain: Node[] = [];
  let base = node;
  while (VIEW_OPS.has(base.op)) {
    chain.unshift(base);
    base = base.inputs[0]!;
  }
  if (chain.length === 0) return undefined;
  let strides = rowMajorStrides(base.shape);
  let offset: StrideTerm[] = [];
  for (const step of chain) {
    const input = step.inputs[0]!.shape;
    if (step.op === 'permute') {
      const perm = step.attrs.perm as number[];
      strides = perm.map((axis) => strides[axis]!);
    } else if (step.op === 'reshape') {
      const next = reshapeStrides(input, strides, step.shape);
      if (next === undefined) return undefined;
      strides = next;
    } else {
      const sliced = sliceStrides(step, strides);
      if (sliced === undefined) return undefined;
      offset = [...offset, ...sliced.offset];
      strides = sliced.strides;
    }
  }
  return { view: node, base, offset, strides };
}

/**
 * The result `node` of an opaque op written straight into `target`, the end of its chain of
 * reshapes and permutes (merged heads): `node` as a strided view of `target`, or `undefined`.
 * The caller checks that nothing else reads the chain.
 */
export function resultView(node: Node, chain: readonly Node[]): StridedView | undefined {
  const target = chain[chain.length - 1];
  if (target === undefined) return undefined;
  let strides = rowMajorStrides(target.shape);
  for (let index = chain.length - 1; index >= 0; index--) {
    const step = chain[index]!;
    const input = step.inputs[0]!.shape;
    if (step.op === 'permute') {
      const perm = step.attrs.perm as number[];
      const inverse: StrideTerm[] = new Array(perm.length);
      perm.forEach((axis, position) => {
        inverse[axis] = strides[position]!;
      });
      strides = inverse;
    } else if (step.op === 'reshape') {
      const next = reshapeStrides(step.shape, strides, input);
      if (next === undefined) return undefined;
      strides = next;
    } else {
      return undefined;
    }
  }
  return { view: node, base: target, offset: [], strides };
}

function rowMajorStrides(shape: Shape): StrideTerm[] {
  const strides: StrideTerm[] = new Array(shape.length);
  let stride: StrideTerm = { coefficient: 1, factors: [] };
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride = times(stride, shape[axis]!);
  }
  return strides;
}

function sliceStrides(
  node: Node,
  strides: readonly StrideTerm[],
): { offset: StrideTerm[]; strides: StrideTerm[] } | undefined {
  const { starts, ends, steps } = node.attrs as { starts: number[]; ends: number[]; steps: number[] };
  const offset: StrideTerm[] = [];
  const result: StrideTerm[] = [];
  for (const [axis, dim] of node.inputs[0]!.shape.entries()) {
    const stride = strides[axis]!;
    if (isSymbolic(dim)) {
      result.push(stride);
      continue;
    }
    if (steps[axis]! < 0) return undefined;
    const { start } = sliceRange(dim, starts[axis]!, ends[axis]!, steps[axis]!);
    if (start !== 0) offset.push({ coefficient: stride.coefficient * start, factors: stride.factors });
    result.push({ coefficient: stride.coefficient * steps[axis]!, factors: stride.factors });
  }
  return { offset, strides: result };
}

/**
 * Strides of a row-major reshape from `from` (axes with `strides`) to `to`: axes group into runs
 * of equal element count; each run of `from` must be contiguous (an axis's stride is the next
 * one's times its size), and `to`'s axes split the run's innermost stride.
 */
function reshapeStrides(from: Shape, strides: readonly StrideTerm[], to: Shape): StrideTerm[] | undefined {
  const inAxes = from.map((_, axis) => axis).filter((axis) => from[axis] !== 1);
  const outAxes = to.map((_, axis) => axis).filter((axis) => to[axis] !== 1);
  const result: StrideTerm[] = to.map(() => ({ coefficient: 0, factors: [] }));
  let i = 0;
  let j = 0;
  while (i < inAxes.length && j < outAxes.length) {
    const inRun = [inAxes[i++]!];
    const outRun = [outAxes[j++]!];
    let inSize = sizeTerm(from, inRun);
    let outSize = sizeTerm(to, outRun);
    while (key(inSize) !== key(outSize)) {
      if (divides(outSize, inSize) && j < outAxes.length) {
        outRun.push(outAxes[j++]!);
        outSize = sizeTerm(to, outRun);
      } else if (divides(inSize, outSize) && i < inAxes.length) {
        inRun.push(inAxes[i++]!);
        inSize = sizeTerm(from, inRun);
      } else {
        return undefined;
      }
    }
    for (let m = 0; m + 1 < inRun.length; m++) {
      const expected = times(strides[inRun[m + 1]!]!, from[inRun[m + 1]!]!);
      if (key(strides[inRun[m]!]!) !== key(expected)) return undefined;
    }
    let stride = strides[inRun[inRun.length - 1]!]!;
    for (let m = outRun.length - 1; m >= 0; m--) {
      result[outRun[m]!] = stride;
      stride = times(stride, to[outRun[m]!]!);
    }
  }
  return i === inAxes.length && j === outAxes.length ? result : undefined;
}

function sizeTerm(shape: Shape, axes: readonly number[]): StrideTerm {
  return axes.reduce<StrideTerm>((term, axis) => times(term, shape[axis]!), { coefficient: 1, factors: [] });
}

function times(term: StrideTerm, dim: Dim): StrideTerm {
  if (typeof dim === 'number') return { coefficient: term.coefficient * dim, factors: term.factors };
  return { coefficient: term.coefficient, factors: [...term.factors, dim].sort(byName) };
}

function byName(a: Dim, b: Dim): number {
  const nameA = typeof a === 'number' ? '' : a.name;
  const nameB = typeof b === 'number' ? '' : b.name;
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

function key(term: StrideTerm): string {
  return [term.coefficient, ...term.factors.map((dim) => (typeof dim === 'number' ? dim : dim.name))].join(
    '*',
  );
}

/** Whether `small` divides `large`: its coefficient does and its factors are a sub-multiset. */
function divides(small: StrideTerm, large: StrideTerm): boolean {
  if (large.coefficient % small.coefficient !== 0) return false;
  const left = large.factors.map((dim) => (typeof dim === 'number' ? String(dim) : dim.name));
  for (const dim of small.factors) {
    const position = left.indexOf(typeof dim === 'number' ? String(dim) : dim.name);
    if (position < 0) return false;
    left.splice(position, 1);
  }
  return true;
}
