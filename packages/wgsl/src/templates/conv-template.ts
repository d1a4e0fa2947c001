import { type Expr, flatIndex, indexVariable, type Kernel, type Node, UnsupportedError } from '@weft/ir';
import { ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import { wgslType } from '../wgsl-types.js';
import {
  BATCH_INDICES,
  bindBatchIndices,
  countFor,
  countText,
  indent,
  sizeText,
  variableNames,
  workgroupWidth,
} from './template-support.js';

/**
 * Direct 1-D or 2-D convolution (cross-correlation, as in PyTorch): one invocation per output
 * element sums `x[b, g·Cin/g + ci, o·stride − padBefore + k·dilation] · w[co, ci, k]` over the
 * group's input channels and the kernel window, skipping padded positions, accumulating in f32,
 * then adds the optional bias. Grouped and depthwise (`groups = Cin`) convolutions included.
 */
export function generateConv(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const conv = kernel.anchor;
  const [x, w, bias] = conv.inputs as [Node, Node, Node | undefined];
  const spatial = x.rank - 2;
  if (spatial !== 1 && spatial !== 2) {
    throw new UnsupportedError(`conv kernel ${kernel.id}: only 1-D and 2-D convolutions are supported`, {
      expected: '3-D or 4-D input',
      actual: x.rank,
    });
  }
  const stride = spatialList(conv.attrs.stride, spatial);
  const dilation = spatialList(conv.attrs.dilation, spatial);
  const padding = conv.attrs.padding as number[];
  const padBefore = spatial === 1 ? [padding[0]!] : [padding[0]!, padding[2]!];
  const groups = (conv.attrs.groups as number | undefined) ?? 1;
  const width = workgroupWidth(profile);
  const composer = new ElementComposer(kernel);
  // Output index o0 (batch), o1 (output channel), o2.. (positions); input channel and window offsets.
  const output = Array.from({ length: conv.rank }, (_, axis) => indexVariable(`o${axis}`));
  const inputPositions = Array.from({ length: spatial }, (_, axis) => indexVariable(`p${axis}`));
  const windowIndex = Array.from({ length: spatial }, (_, axis) => indexVariable(`q${axis}`));
  const channel = indexVariable('channel');
  const inputChannel = indexVariable('ci');
  const product: Expr = composer
    .element(x, [output[0]!, channel, ...inputPositions])
    .cast('f32')
    .mul(composer.element(w, [output[1]!, inputChannel, ...windowIndex]).cast('f32'));
  const variables = {
    ...variableNames('o', conv.rank),
    ...variableNames('p', spatial),
    ...variableNames('q', spatial),
    channel: 'channel',
    ci: 'ci',
  };
  const term = context.render([product], variables);
  const finish = context.render(
    [
      ...(bias === undefined ? [] : [composer.element(bias, [output[1]!]).cast('f32')]),
      flatIndex(output, conv.shape),
    ],
    variables,
    'w',
  );
  const inputsPerGroup = sizeText(context, w.shape[1]!);
  const outputsPerGroup = Math.floor((w.shape[0] as number) / groups);
  const windowLoops: string[] = [];
  const closing: string[] = [];
  for (let axis = 0; axis < spatial; axis++) {
    const level = axis * 2;
    windowLoops.push(
      ...indent(
        [
          `for (var q${axis} = 0; q${axis} < ${sizeText(context, w.shape[2 + axis]!)}; q${axis}++) {`,
          `  let p${axis} = o${2 + axis} * ${stride[axis]} - ${padBefore[axis]} + q${axis} * ${dilation[axis]};`,
          `  if (p${axis} < 0 || p${axis} >= ${sizeText(context, x.shape[2 + axis]!)}) {`,
          '    continue;',
          '  }',
        ],
        level,
      ),
    );
    closing.unshift(`${'  '.repeat(level)}}`);
  }
  const body = [
    `let index = i32(workgroup_index * ${width}u + local_index);`,
    `if (index >= ${countText(context, conv.shape)}) {`,
    '  return;',
    '}',
    BATCH_INDICES,
    `let group = o1 / ${outputsPerGroup};`,
    'var acc = 0.0;',
    `for (var ci = 0; ci < ${inputsPerGroup}; ci++) {`,
    ...indent([
      `let channel = group * ${inputsPerGroup} + ci;`,
      ...windowLoops,
      ...indent([...term.lines, `acc += ${term.values[0]};`], spatial),
      ...closing,
    ]),
    '}',
    ...finish.lines,
    ...(bias === undefined ? [] : [`acc += ${finish.values[0]};`]),
    context.store(
      conv,
      finish.values[finish.values.length - 1]!,
      conv.dtype === 'f32' ? 'acc' : `${wgslType(conv.dtype)}(acc)`,
    ),
  ];
  // The output indices the rest of the body reads.
  bindBatchIndices(context, body, 'index', conv.shape, 'o');
  return context.build(conv.op, {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => Math.ceil(countFor(conv.shape, dims) / width),
    body,
  });
}

function spatialList(value: unknown, spatial: number): number[] {
  if (typeof value === 'number') return Array.from({ length: spatial }, () => value);
  if (Array.isArray(value)) return value as number[];
  return Array.from({ length: spatial }, () => 1);
}
