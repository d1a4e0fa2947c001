import { flatIndex, indexVariable, type Kernel, normalizeAxis } from '@weft/ir';
import { ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import { accumulatorType, formatLiteral } from '../wgsl-types.js';
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
 * Top-k along one axis, sorted, ties to the lower index: one invocation per line makes k
 * selection passes, each taking the best element that comes after the previous pick in the
 * order (value, then index). O(k · length) per line with no scratch memory — meant for small k.
 */
export function generateTopk(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const topk = kernel.anchor;
  const operand = topk.inputs[0]!;
  const axis = normalizeAxis(topk.attrs.axis as number, operand.rank, { tensor: 'topk operand 0' });
  const k = topk.attrs.k as number;
  const largest = topk.attrs.largest !== false;
  const writeIndices = topk.attrs.output === 'indices';
  const layout = lineLayout(operand.shape, axis);
  const outputLayout = lineLayout(topk.shape, axis);
  const width = workgroupWidth(profile);
  const composer = new ElementComposer(kernel);
  const variables = { ...variableNames('l', layout.lineShape.length), position: 'position', rank: 'rank' };
  const element = context.render(
    [composer.element(operand, layout.index(indexVariable('position')))],
    variables,
  );
  const target = context.render(
    [flatIndex(outputLayout.index(indexVariable('rank')), topk.shape)],
    variables,
    'w',
  );
  const valueType = accumulatorType(operand.dtype);
  const beats = largest ? '>' : '<';
  const trails = largest ? '<' : '>';
  const stored = writeIndices
    ? 'best_index'
    : valueType === operand.dtype
      ? 'best'
      : `${operand.dtype}(best)`;
  // The line's coordinates that the element and target read (a size-1 or unread axis gets none).
  const readers = [...element.lines, ...element.values, ...target.lines, ...target.values].join('\n');
  const body = [
    `let line = i32(workgroup_index * ${width}u + local_index);`,
    `if (line >= ${countText(context, layout.lineShape)}) {`,
    '  return;',
    '}',
    ...unflattenLines(context, 'line', layout.lineShape, 'l', readers),
    `var previous: ${valueType} = ${formatLiteral(0, valueType, new Set())};`,
    'var previous_index = -1;',
    `for (var rank = 0; rank < ${k}; rank++) {`,
    ...indent([
      `var best: ${valueType} = ${formatLiteral(0, valueType, new Set())};`,
      'var best_index = -1;',
      `for (var position = 0; position < ${sizeText(context, operand.shape[axis]!)}; position++) {`,
      ...indent([
        ...element.lines,
        `let candidate = ${valueType === operand.dtype ? element.values[0] : `${valueType}(${element.values[0]})`};`,
        `let after = previous_index < 0 || candidate ${trails} previous || (candidate == previous && position > previous_index);`,
        `if (after && (best_index < 0 || candidate ${beats} best)) {`,
        '  best = candidate;',
        '  best_index = position;',
        '}',
      ]),
      '}',
      ...target.lines,
      context.store(topk, target.values[0]!, stored),
      'previous = best;',
      'previous_index = best_index;',
    ]),
    '}',
  ];
  return context.build('topk', {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => Math.ceil(countFor(layout.lineShape, dims) / width),
    body,
  });
}
