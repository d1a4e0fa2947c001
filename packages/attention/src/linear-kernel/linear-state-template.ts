import { type DimBindings, type Kernel, type Node, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeLinearState, LINEAR_STATE_OP } from '../linear/linear-attention-attrs.js';
import {
  dimText,
  featureMapFunction,
  LINEAR_WORKGROUP,
  logRateLines,
  staticDim,
} from './linear-kernel-support.js';

const W = LINEAR_WORKGROUP;

/**
 * The `linearAttention.state` kernel: one invocation per state element (b, h, i[, j]), summing
 * γ^(T−1−t) φ(k_t,i) v_t,j over the T positions of its operands and adding γ^T times the previous
 * state. A decode step (T = 1) costs O(d_k·d_v) in all, whatever the past length.
 */
export function generateLinearState(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeLinearState(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const key = node.inputs[0]!;
  const value: Node | undefined = attrs.part === 'values' ? node.inputs[1] : undefined;
  const previous = attrs.withState ? node.inputs[node.inputs.length - 1] : undefined;
  const dk = staticDim(kernel, attrs.block, 'key', key.shape[3]!, 3);
  const dv = value === undefined ? 1 : staticDim(kernel, attrs.block, 'value', value.shape[3]!, 3);
  const heads = attrs.heads;
  const batch = key.shape[0]!;
  const batchText = dimText(context, batch);
  const decayed = (exponent: string) => (attrs.decay === null ? '' : ` * exp(log_rate * f32(${exponent}))`);
  const body = [
    `let flat = i32(workgroup_index * ${W}u + local_index);`,
    `if (flat >= ${batchText} * ${heads * dk * dv}) {`,
    '  return;',
    '}',
    `let j = flat % ${dv};`,
    `let d = (flat / ${dv}) % ${dk};`,
    `let bh = flat / ${dk * dv};`,
    `let h_i = bh % ${heads};`,
    `let n = ${dimText(context, key.shape[2]!)};`,
    ...logRateLines(attrs.decay),
    'var total = 0.0;',
    'for (var t = 0; t < n; t++) {',
    `  let feature = feature_map(${context.load(key, `(bh * n + t) * ${dk} + d`)});`,
    value === undefined
      ? `  total += feature${decayed('n - 1 - t')};`
      : `  total += feature * ${context.load(value, `(bh * n + t) * ${dv} + j`)}${decayed('n - 1 - t')};`,
    '}',
    ...(previous === undefined ? [] : [`total += ${context.load(previous, 'flat')}${decayed('n')};`]),
    context.store(node, 'flat', 'total'),
  ];
  return context.build(LINEAR_STATE_OP, {
    workgroupSize: [W, 1, 1],
    workgroupCount: (dims: DimBindings) => Math.ceil((resolveDim(batch, dims) * heads * dk * dv) / W),
    functions: [featureMapFunction(context, attrs.featureMap)],
    body,
  });
}
