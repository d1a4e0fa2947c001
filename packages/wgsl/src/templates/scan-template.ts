import {
  type DType,
  Expr,
  flatIndex,
  indexVariable,
  type Kernel,
  normalizeAxis,
  UnsupportedError,
} from '@weft/ir';
import { ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import { accumulatorType, formatLiteral, wgslType } from '../wgsl-types.js';
import { lineLayout } from './line-support.js';
import {
  countFor,
  countText,
  indent,
  sizeText,
  unflattenLines,
  variableNames,
  workgroupWidth,
} from './template-support.js';

/**
 * Cumulative scan along one axis (sum, prod, max, min, or a custom `combine(a, b)` Expr;
 * inclusive or exclusive; forward or reversed). One invocation walks one line sequentially:
 * simple and exact in order, but a long single line is serial; a work-efficient parallel scan
 * over workgroups is a later optimization.
 */
export function generateScan(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const scan = kernel.anchor;
  const operand = scan.inputs[0]!;
  const axis = normalizeAxis(scan.attrs.axis as number, operand.rank, { tensor: 'scan operand 0' });
  const fn = scan.attrs.fn as string;
  const exclusive = scan.attrs.exclusive === true;
  const reverse = scan.attrs.reverse === true;
  const accumulator: DType = fn === 'custom' ? scan.dtype : accumulatorType(scan.dtype);
  const layout = lineLayout(operand.shape, axis);
  const width = workgroupWidth(profile);
  const position = indexVariable('position');
  const composer = new ElementComposer(kernel);
  const variables = { ...variableNames('l', layout.lineShape.length), position: 'position' };
  const element = context.render(
    [composer.element(operand, layout.index(position)), flatIndex(layout.index(position), scan.shape)],
    variables,
  );
  const length = sizeText(context, operand.shape[axis]!);
  const combined = combineText(context, scan.attrs, fn);
  const stored = accumulator === scan.dtype ? 'acc' : `${wgslType(scan.dtype)}(acc)`;
  const value = element.values[0]!;
  // Declare only the line coordinates and the position that the element's index reads (a size-1
  // axis or a one-position scan reads none of them).
  const readers = [...element.lines, ...element.values].join('\n');
  const readsPosition = /\bposition\b/.test(readers);
  const body = [
    `let line = i32(workgroup_index * ${width}u + local_index);`,
    `if (line >= ${countText(context, layout.lineShape)}) {`,
    '  return;',
    '}',
    ...unflattenLines(context, 'line', layout.lineShape, 'l', readers),
    `var acc: ${accumulator} = ${identityText(context, scan.attrs, fn, accumulator)};`,
    `for (var step = 0; step < ${length}; step++) {`,
    ...indent([
      ...(readsPosition ? [reverse ? `let position = ${length} - 1 - step;` : 'let position = step;'] : []),
      ...element.lines,
      `let x = ${accumulator === scan.dtype ? value : `${accumulator}(${value})`};`,
      `let flat = ${element.values[1]};`,
      ...(exclusive
        ? [context.store(scan, 'flat', stored), ...combined.lines, `acc = ${combined.value};`]
        : [
            ...combined.lines,
            `acc = ${inclusiveStart(scan.attrs, fn, combined.value)};`,
            context.store(scan, 'flat', stored),
          ]),
    ]),
    '}',
  ];
  return context.build('scan', {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => Math.ceil(countFor(layout.lineShape, dims) / width),
    body,
  });
}

/**
 * The running value after an inclusive step: a custom combine without an identity starts from the
 * line's first element (as the reference does), not from a placeholder identity of 0.
 */
function inclusiveStart(attrs: Kernel['anchor']['attrs'], fn: string, combined: string): string {
  return fn === 'custom' && attrs.identity === undefined ? `select(${combined}, x, step == 0)` : combined;
}

/** Statements and expression combining `acc` with `x`. */
function combineText(
  context: KernelContext,
  attrs: Kernel['anchor']['attrs'],
  fn: string,
): { lines: string[]; value: string } {
  switch (fn) {
    case 'sum':
      return { lines: [], value: 'acc + x' };
    case 'prod':
      return { lines: [], value: 'acc * x' };
    case 'max':
    case 'min':
      return { lines: [], value: `${fn}(acc, x)` };
    case 'custom': {
      const combine = attrs.combine;
      if (!(combine instanceof Expr)) {
        throw new UnsupportedError('a custom scan needs a combine Expr over variables a and b', {
          expected: 'an Expr',
          actual: String(combine),
        });
      }
      const rendered = context.render([combine], { a: 'acc', b: 'x' }, 'combine');
      return { lines: rendered.lines, value: rendered.values[0]! };
    }
    default:
      throw new UnsupportedError(`scan function "${fn}" is not supported`, {
        expected: 'sum, prod, max, min or custom',
        actual: fn,
      });
  }
}

function identityText(
  context: KernelContext,
  attrs: Kernel['anchor']['attrs'],
  fn: string,
  accumulator: DType,
): string {
  const limits: Record<string, number> = { i32: 2147483647, u32: 4294967295 };
  const value =
    fn === 'custom'
      ? Number(attrs.identity ?? 0)
      : fn === 'sum'
        ? 0
        : fn === 'prod'
          ? 1
          : fn === 'max'
            ? accumulator === 'u32'
              ? 0
              : -(limits[accumulator] ?? Infinity) - (accumulator === 'i32' ? 1 : 0)
            : (limits[accumulator] ?? Infinity);
  const helpers = new Set<string>();
  const text = formatLiteral(value, accumulator, helpers);
  for (const helper of helpers) context.helpers.add(helper);
  return text;
}
