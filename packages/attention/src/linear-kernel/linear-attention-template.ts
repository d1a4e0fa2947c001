import { type DimBindings, type Kernel, type Node, resolveDim } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import {
  decodeLinearAttention,
  GATE_FLOOR,
  LINEAR_ATTENTION_OP,
  stateOperandIndex,
} from '../linear/linear-attention-attrs.js';
import { decayPowerTable } from './decay-power-table.js';
import {
  dimText,
  f32Literal,
  featureMapFunction,
  LINEAR_WORKGROUP,
  staticDim,
} from './linear-kernel-support.js';
import { linearTiles } from './linear-tiles.js';

const W = LINEAR_WORKGROUP;

/**
 * The fused `linearAttention` kernel, one workgroup per (batch·head, slice of value columns), in
 * one sweep over chunks of C positions (Lightning-2 style): the state S (d_k × slice) and the key
 * sums z live in workgroup memory; each chunk stages φ(K_c) and V_c, then
 * - causal: invocation t computes query c0 + t as γ^(t+1) φ(q)ᵀS (inter-chunk) plus the masked
 *   quadratic Σ_{s≤t} γ^(t−s) φ(q)·φ(k_s) v_s (intra-chunk), then the workgroup folds the chunk into
 *   the state, S ← γ^C S + Σ_s γ^(C−1−s) φ(k_s) v_sᵀ;
 * - non-causal: the sweep only accumulates S and z; a second loop reads them for every query.
 * Decay powers come from e^(log γ · m) for m = 0 … C (never repeated products). With a gate
 * (GLA-style), the chunk's cumulative log-gates b_s = Σ_{u≤s} log g_u (per key dimension) replace
 * the powers: e^(b_t) on the state read, e^(b_t − b_s) inside the chunk, e^(b_last − b_s) in the
 * fold; only differences with s ≤ t are exponentiated, so no factor exceeds 1. Memory is
 * O(d_k·d_v) per workgroup: no N×N buffer exists.
 */
export function generateLinearAttention(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeLinearAttention(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const [query, key, value] = node.inputs as [Node, Node, Node];
  const first = stateOperandIndex(attrs);
  const state = attrs.withState ? node.inputs[first] : undefined;
  const keyState = attrs.withState && attrs.epsilon !== null ? node.inputs[first + 1] : undefined;
  const gate = attrs.gated ? node.inputs[3] : undefined;
  const dk = staticDim(kernel, attrs.block, 'query', query.shape[3]!, 3);
  const dv = staticDim(kernel, attrs.block, 'value', value.shape[3]!, 3);
  const heads = attrs.heads;
  // Non-causal chunks only stage keys; the chunk size there is the kernel's own.
  const { chunk, valueSlice: vs } = linearTiles(
    profile,
    attrs.block,
    dk,
    dv,
    attrs.causal ? attrs.chunkSize : W,
    gate !== undefined,
  );
  const slices = Math.ceil(dv / vs);
  const decay = attrs.decay;
  const denominator = attrs.epsilon !== null;
  const power = (exponent: string) => (decay === null ? '' : ` * decay_pow[${exponent}]`);

  context.workgroupArray('state_s', 'f32', dk * vs);
  if (denominator) context.workgroupArray('key_sum', 'f32', dk);
  context.workgroupArray('key_tile', 'f32', chunk * dk);
  context.workgroupArray('value_tile', 'f32', chunk * vs);
  if (decay !== null) context.workgroupArray('decay_pow', 'f32', chunk + 1);
  if (gate !== undefined) context.workgroupArray('gate_tile', 'f32', chunk * dk);
  // Per key dimension d: the gate product between positions s ≤ t of the chunk, e^(b_t − b_s).
  const gated = (t: string, s: string, d: string) =>
    gate === undefined ? '' : ` * exp(gate_tile[${t} * ${dk} + ${d}] - gate_tile[${s} * ${dk} + ${d}])`;

  const batchHeads =
    typeof query.shape[0] === 'number'
      ? String(query.shape[0] * heads)
      : `${dimText(context, query.shape[0]!)} * ${heads}`;
  const nq = dimText(context, query.shape[2]!);
  const nk = dimText(context, key.shape[2]!);

  const setup = [
    `let slice = i32(workgroup_index) % ${slices};`,
    `let bh = i32(workgroup_index) / ${slices};`,
    `if (bh >= ${batchHeads}) {`,
    '  return;',
    '}',
    'let li = i32(local_index);',
    ...(decay === null ? [] : [`let h_i = bh % ${heads};`]),
    `let j0 = slice * ${vs};`,
    `let nq = ${nq};`,
    `let nk = ${nk};`,
    ...(decay === null
      ? []
      : [
          `for (var m = li; m <= ${chunk}; m += ${W}) {`,
          `  decay_pow[m] = decay_powers[h_i * ${chunk + 1} + m];`,
          '}',
        ]),
    `for (var e = li; e < ${dk * vs}; e += ${W}) {`,
    ...(state === undefined
      ? ['  state_s[e] = 0.0;']
      : [
          `  let j = j0 + e % ${vs};`,
          '  var start = 0.0;',
          `  if (j < ${dv}) {`,
          `    start = ${context.load(state, `(bh * ${dk} + e / ${vs}) * ${dv} + j`)};`,
          '  }',
          '  state_s[e] = start;',
        ]),
    '}',
    ...(denominator
      ? [
          `for (var d = li; d < ${dk}; d += ${W}) {`,
          `  key_sum[d] = ${keyState === undefined ? '0.0' : context.load(keyState, `bh * ${dk} + d`)};`,
          '}',
        ]
      : []),
    'workgroupBarrier();',
  ];

  // Stage φ(K_c) and V_c (zeros past the end) for the chunk starting at c0 with `count` positions.
  const stage = [
    `for (var e = li; e < ${chunk * dk}; e += ${W}) {`,
    `  let s = e / ${dk};`,
    '  var feature = 0.0;',
    '  if (s < count) {',
    `    feature = feature_map(${context.load(key, `(bh * nk + c0 + s) * ${dk} + e % ${dk}`)});`,
    '  }',
    '  key_tile[e] = feature;',
    ...(gate === undefined
      ? []
      : [
          '  var log_gate = 0.0;',
          '  if (s < count) {',
          `    log_gate = log(max(${context.load(gate, `(bh * nk + c0 + s) * ${dk} + e % ${dk}`)}, ${f32Literal(GATE_FLOOR)}));`,
          '  }',
          '  gate_tile[e] = log_gate;',
        ]),
    '}',
    `for (var e = li; e < ${chunk * vs}; e += ${W}) {`,
    `  let s = e / ${vs};`,
    `  let j = j0 + e % ${vs};`,
    '  var element = 0.0;',
    `  if (s < count && j < ${dv}) {`,
    `    element = ${context.load(value, `(bh * nk + c0 + s) * ${dv} + j`)};`,
    '  }',
    '  value_tile[e] = element;',
    '}',
    'workgroupBarrier();',
    // Cumulative log-gates inside the chunk, one invocation per key dimension.
    ...(gate === undefined
      ? []
      : [
          `for (var d = li; d < ${dk}; d += ${W}) {`,
          '  var running = 0.0;',
          '  for (var s = 0; s < count; s++) {',
          `    running += gate_tile[s * ${dk} + d];`,
          `    gate_tile[s * ${dk} + d] = running;`,
          '  }',
          '}',
          'workgroupBarrier();',
        ]),
  ];
  // Fold the staged chunk into the state: S ← γ^count S + Σ_s γ^(count−1−s) φ(k_s) v_sᵀ.
  // The gated fold reads the chunk's last row of cumulative log-gates, `last`.
  const fold = [
    ...(gate === undefined ? [] : ['let last = count - 1;']),
    `for (var e = li; e < ${dk * vs}; e += ${W}) {`,
    `  let d = e / ${vs};`,
    `  let j = e % ${vs};`,
    `  var total = state_s[e]${power('count')}${gate === undefined ? '' : ` * exp(gate_tile[last * ${dk} + d])`};`,
    '  for (var s = 0; s < count; s++) {',
    `    total += key_tile[s * ${dk} + d] * value_tile[s * ${vs} + j]${power('count - 1 - s')}${gated('last', 's', 'd')};`,
    '  }',
    '  state_s[e] = total;',
    '}',
    ...(denominator
      ? [
          `for (var d = li; d < ${dk}; d += ${W}) {`,
          `  var total = key_sum[d]${power('count')}${gate === undefined ? '' : ` * exp(gate_tile[last * ${dk} + d])`};`,
          '  for (var s = 0; s < count; s++) {',
          `    total += key_tile[s * ${dk} + d]${power('count - 1 - s')}${gated('last', 's', 'd')};`,
          '  }',
          '  key_sum[d] = total;',
          '}',
        ]
      : []),
    'workgroupBarrier();',
  ];
  // One query row `row` (flat over (bh, position)): φ(q) in registers, the state read into `acc`.
  // Explicit initializers: a `var` declared in a loop without one is not zeroed again on every
  // iteration by every WebGPU implementation (SwiftShader keeps the previous chunk's sums).
  const readState = (row: string, position?: string) => [
    `var phi_q = array<f32, ${dk}>();`,
    `for (var d = 0; d < ${dk}; d++) {`,
    `  phi_q[d] = feature_map(${context.load(query, `${row} * ${dk} + d`)});`,
    '}',
    `var acc = array<f32, ${vs}>();`,
    ...(denominator ? ['var den = 0.0;'] : []),
    `for (var d = 0; d < ${dk}; d++) {`,
    gate === undefined || position === undefined
      ? '  let qd = phi_q[d];'
      : `  let qd = phi_q[d] * exp(gate_tile[${position} * ${dk} + d]);`,
    `  for (var j = 0; j < ${vs}; j++) {`,
    `    acc[j] += qd * state_s[d * ${vs} + j];`,
    '  }',
    ...(denominator ? ['  den += qd * key_sum[d];'] : []),
    '}',
  ];
  const storeRow = (row: string) => [
    ...(denominator ? [`let scale = 1.0 / (den + ${f32Literal(attrs.epsilon!)});`] : []),
    `for (var j = 0; j < ${vs}; j++) {`,
    `  if (j0 + j < ${dv}) {`,
    `    ${context.store(node, `${row} * ${dv} + j0 + j`, denominator ? 'acc[j] * scale' : 'acc[j]')}`,
    '  }',
    '}',
  ];
  const indent = (lines: readonly string[], depth = 1) => lines.map((line) => `${'  '.repeat(depth)}${line}`);

  const causalSweep = [
    `let chunks = (nk + ${chunk - 1}) / ${chunk};`,
    'for (var c = 0; c < chunks; c++) {',
    `  let c0 = c * ${chunk};`,
    `  let count = min(${chunk}, nk - c0);`,
    ...indent(stage),
    '  if (li < count) {',
    '    let t = li;',
    '    let row = bh * nq + c0 + t;',
    ...indent(readState('row', 't'), 2),
    ...(decay === null
      ? []
      : [
          '    let carried = decay_pow[t + 1];',
          `    for (var j = 0; j < ${vs}; j++) {`,
          '      acc[j] *= carried;',
          '    }',
          ...(denominator ? ['    den *= carried;'] : []),
        ]),
    '    for (var s = 0; s <= t; s++) {',
    '      var w = 0.0;',
    `      for (var d = 0; d < ${dk}; d++) {`,
    `        w += phi_q[d] * key_tile[s * ${dk} + d]${gated('t', 's', 'd')};`,
    '      }',
    ...(decay === null ? [] : ['      w *= decay_pow[t - s];']),
    ...(denominator ? ['      den += w;'] : []),
    `      for (var j = 0; j < ${vs}; j++) {`,
    `        acc[j] += w * value_tile[s * ${vs} + j];`,
    '      }',
    '    }',
    ...indent(storeRow('row'), 2),
    '  }',
    '  workgroupBarrier();',
    ...indent(fold),
    '}',
  ];
  const nonCausalSweep = [
    `let chunks = (nk + ${chunk - 1}) / ${chunk};`,
    'for (var c = 0; c < chunks; c++) {',
    `  let c0 = c * ${chunk};`,
    `  let count = min(${chunk}, nk - c0);`,
    ...indent(stage),
    ...indent(fold),
    '}',
    `for (var t = li; t < nq; t += ${W}) {`,
    '  let row = bh * nq + t;',
    ...indent(readState('row')),
    ...indent(storeRow('row')),
    '}',
  ];
  const batch = query.shape[0]!;
  return context.build(LINEAR_ATTENTION_OP, {
    workgroupSize: [W, 1, 1],
    workgroupCount: (dims: DimBindings) => resolveDim(batch, dims) * heads * slices,
    functions: [
      ...(decay === null ? [] : [decayPowerTable(decay, chunk)]),
      featureMapFunction(context, attrs.featureMap),
    ],
    body: [...setup, ...(attrs.causal ? causalSweep : nonCausalSweep)],
  });
}
