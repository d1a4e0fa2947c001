import {
  type DimBindings,
  type Expr,
  elementCount,
  elementCountExpr,
  indexVariable,
  type Node,
  resolveShape,
  type Shape,
} from '@weft/ir';
import type { DeviceProfile } from '../generated-kernel.js';
import type { KernelContext } from '../kernel-context.js';

/**
 * Statements that split flat i32 index `flat` into `<prefix>0..` over `shape` (row-major). With
 * `readers` (the WGSL that follows), only the axes it names are bound, and the running quotient
 * is divided only as far as they need.
 */
export function unflattenLines(
  context: KernelContext,
  flat: string,
  shape: Shape,
  prefix: string,
  readers?: string,
): string[] {
  const rank = shape.length;
  const needed = shape.map(
    (_, axis) => readers === undefined || new RegExp(`\\b${prefix}${axis}\\b`).test(readers),
  );
  if (!needed.some(Boolean)) return [];
  if (rank === 1) return [`let ${prefix}0 = ${flat};`];
  const rest = `${prefix}_rest`;
  const lines: string[] = [];
  let divided = false;
  for (let axis = rank - 1; axis >= 1; axis--) {
    if (!needed.slice(0, axis + 1).some(Boolean)) break;
    const dim = shape[axis]!;
    if (dim === 1) {
      if (needed[axis]) lines.push(`let ${prefix}${axis} = 0;`);
      continue;
    }
    const size = sizeText(context, dim);
    if (needed[axis]) lines.push(`let ${prefix}${axis} = ${rest} % ${size};`);
    if (needed.slice(0, axis).some(Boolean)) {
      lines.push(`${rest} = ${rest} / ${size};`);
      divided = true;
    }
  }
  if (needed[0]) lines.push(`let ${prefix}0 = ${rest};`);
  return [`${divided ? 'var' : 'let'} ${rest} = ${flat};`, ...lines];
}

/** Placeholder line in a body where the indices that the rest of it reads are bound (see {@link unflattenLines}). */
export const BATCH_INDICES = '// <batch indices>';

/**
 * Replaces the {@link BATCH_INDICES} line of `body` (in place) with the indices of `shape` unflattened
 * from `flat` (names `prefix0`, `prefix1`, …), binding only those the lines after it read.
 */
export function bindBatchIndices(
  context: KernelContext,
  body: string[],
  flat: string,
  shape: Shape,
  prefix: string,
): void {
  const at = body.indexOf(BATCH_INDICES);
  body.splice(at, 1, ...unflattenLines(context, flat, shape, prefix, body.slice(at + 1).join('\n')));
}

/** The index variables `<prefix>0..` of a tensor of `rank`, as Exprs. */
export function indexVariables(prefix: string, rank: number): Expr[] {
  return Array.from({ length: rank }, (_, axis) => indexVariable(`${prefix}${axis}`));
}

/** Identity mapping of index-variable names to WGSL names, for `KernelContext.render`. */
export function variableNames(prefix: string, rank: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: rank }, (_, axis) => [`${prefix}${axis}`, `${prefix}${axis}`]),
  );
}

/** WGSL i32 text of one dim's size. */
export function sizeText(context: KernelContext, dim: Shape[number]): string {
  return typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`;
}

/** WGSL i32 text of the element count of `shape`. */
export function countText(context: KernelContext, shape: Shape): string {
  return context.render([elementCountExpr(shape)]).values[0]!;
}

/** Element count of `shape` under `dims`. */
export function countFor(shape: Shape, dims: DimBindings): number {
  return elementCount(resolveShape(shape, dims));
}

/** A 1-D workgroup width: `preferred`, capped by the device's invocation and x-size limits. */
export function workgroupWidth(profile: DeviceProfile, preferred = 256): number {
  const limits = profile.limits;
  return Math.min(preferred, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
}

/** Indents lines by `levels` steps of two spaces (empty lines stay empty). */
export function indent(lines: readonly string[], levels = 1): string[] {
  const pad = '  '.repeat(levels);
  return lines.map((line) => (line === '' ? '' : `${pad}${line}`));
}

/** Characters of a store statement past which its value is bound with `let` first (lines stay under 120). */
const LONG_STORE = 108;

/**
 * WGSL statements storing `value` at element `flat` of `node`: the store alone, or, when its line
 * would pass 108 characters, `value` bound as `let <name>` first (rendered expressions stay under
 * 80 characters, but a long output name and index come on top). `name` must be unique in the
 * statements' scope.
 */
export function storeStatements(
  context: KernelContext,
  node: Node,
  flat: string,
  value: string,
  name: string,
): string[] {
  const statement = context.store(node, flat, value);
  if (statement.length <= LONG_STORE) return [statement];
  return [`let ${name} = ${value};`, context.store(node, flat, name)];
}
