import { type Kernel, shapesEqual, UnsupportedError } from '@weft/ir';
import { describe, ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import {
  countFor,
  countText,
  indent,
  indexVariables,
  storeStatements,
  unflattenLines,
  variableNames,
  workgroupWidth,
} from './template-support.js';

/**
 * One invocation per element of the anchor's shape. Every output is the composition of its fused
 * nodes' `lowerElement` (broadcasts, gathers, slices, pads and concats are index rewrites), so
 * the kernel reads each input element it needs straight from memory and writes each output once.
 * Outputs must have the anchor's shape.
 */
export function generateElementwise(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const shape = kernel.anchor.shape;
  for (const output of kernel.outputs) {
    if (!shapesEqual(output.shape, shape)) {
      throw new UnsupportedError(
        `elementwise kernel ${kernel.id}: output ${describe(output)} does not have the anchor's shape`,
        {
          expected: JSON.stringify(shape),
          actual: JSON.stringify(output.shape),
        },
      );
    }
  }
  const width = workgroupWidth(profile);
  const composer = new ElementComposer(kernel);
  const index = indexVariables('i', shape.length);
  const rendered = context.render(
    kernel.outputs.map((output) => composer.element(output, index)),
    variableNames('i', shape.length),
  );
  const element = [
    ...rendered.lines,
    ...kernel.outputs.flatMap((output, position) =>
      storeStatements(context, output, 'index', rendered.values[position]!, `stored${position}`),
    ),
  ];
  const body = [
    `let index = i32(workgroup_index * ${width}u + local_index);`,
    `if (index >= ${countText(context, shape)}) {`,
    '  return;',
    '}',
    ...unflattenLines(context, 'index', shape, 'i', element.join('\n')),
    ...element,
  ];
  return context.build('elementwise', {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => Math.ceil(countFor(shape, dims) / width),
    body: indent(body, 0),
  });
}
