import { type DimBindings, type Kernel, type Node, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { decodeLinearState, GATE_FLOOR, LINEAR_STATE_OP } from '../linear/linear-attention-attrs.js';
import { decayPowerTable } from './decay-power-table.js';
import {
  dimText,
  f32Literal,
  featureMapFunction,
  LINEAR_WORKGROUP,
  logRateLines,
  staticDim,
} from './linear-kernel-support.js';

const W = LINEAR_WORKGROUP;
/** Longest static length whose decay powers come from a table (longer or symbolic: exp). */
const MAX_TABLE_LENGTH = 256;

/**
 * The `linearAttention.state` kernel: one invocation per state element (b, h, i[, j]), summing
 * γ^(T−1−t) φ(k_t,i) v_t,j over the T positions of its operands and adding γ^T times the previous
 * state. Decay powers come from a float64 table when T is static and at most 256, else from exp. A decode step (T = 1) costs O(d_k·d_v) in all, whatever the past length.
 * With a gate, each element runs the recurrence itself, s ← g_t,i s + φ(k_t,i) v_t,j, from the
 * previous state (or 0).
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
  const gate = attrs.gated ? node.inputs[value === undefined ? 1 : 2] : undefined;
  const dk = staticDim(kernel, attrs.block, 'key', key.shape[3]!, 3);
  const dv = value === undefined ? 1 : staticDim(kernel, attrs.block, 'value', value.shape[3]!, 3);
  const heads = attrs.heads;
  const batch = key.shape[0]!;
  const batchText = dimText(context, batch);
  const length = key.shape[2]!;
  const tabled = attrs.decay !== null && typeof length === 'number' && length <= MAX_TABLE_LENGTH;
  const decayed = (exponent: string) =>
    attrs.decay === null
      ? ''
      : tabled
        ? ` * decay_powers[h_i * ${(length as number) + 1} + ${exponent}]`
        : ` * exp(log_rate * f32(${exponent}))`;
  const body = [
    `let flat = i32(workgroup_index * ${W}u + local_index);`,
    `if (flat >= ${batchText} * ${heads * dk * dv}) {`,
    '  return;',
    '}',
    ...(value === undefined ? [] : [`let j = flat % ${dv};`]),
    `let d = (flat / ${dv}) % ${dk};`,
    `let bh = flat / ${dk * dv};`,
    ...(attrs.decay === null ? [] : [`let h_i = bh % ${heads};`]),
    `let n = ${dimText(context, key.shape[2]!)};`,
    ...(tabled ? [] : logRateLines(attrs.decay)),
    gate === undefined || previous === undefined
      ? 'var total = 0.0;'
      : `var total = ${context.load(previous, 'flat')};`,
    'for (var t = 0; t < n; t++) {',
    `  let feature = feature_map(${context.load(key, `(bh * n + t) * ${dk} + d`)});`,
    ...(gate === undefined
      ? []
      : [
          `  let g = max(${context.load(gate, `(bh * n + t) * ${dk} + d`)}, ${f32Literal(GATE_FLOOR)});`,
          '  total *= g;',
        ]),
    value === undefined
      ? `  total += feature${decayed('n - 1 - t')};`
      : `  total += feature * ${context.load(value, `(bh * n + t) * ${dv} + j`)}${decayed('n - 1 - t')};`,
    '}',
    ...(previous === undefined || gate !== undefined
      ? []
      : [`total += ${context.load(previous, 'flat')}${decayed('n')};`]),
    context.store(node, 'flat', 'total'),
  ];
  return context.build(LINEAR_STATE_OP, {
    workgroupSize: [W, 1, 1],
    workgroupCount: (dims: DimBindings) => Math.ceil((resolveDim(batch, dims) * heads * dk * dv) / W),
    functions: [
      ...(tabled ? [decayPowerTable(attrs.decay!, length as number)] : []),
      featureMapFunction(context, attrs.featureMap),
    ],
    body,
  });
}
