import { type Dim, type DimBindings, type Kernel, type Node, resolveDim, UnsupportedError } from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { floatLiteral } from '../normalizers/wgsl-literal.js';
import { decodeMultiToken, MULTI_TOKEN_OP, multiTokenOperands } from '../op/multi-token-attrs.js';

/** Invocations per workgroup: one per (batch, head group, query row). */
const WORKGROUP = 64;
/** The most f32 entries of one private array (the logit ring, the accumulators). */
const MAX_PRIVATE_FLOATS = 4096;

/**
 * The kernels of Multi-Token Attention (`attention.multiToken`, catalog paper 43). One invocation
 * per (batch, group of mixed heads, query row i) walks the kept keys j in order. It keeps, per head
 * of its group, a ring of the c_q×c_k masked logits L(i − c_q + 1 … i, j − (c_k−1)/2 … j + (c_k−1)/2)
 * in registers: each key step computes one new column (c_q dot products per head, 0 where masked or
 * outside the sequence), so a convolved logit costs c_q·d + c_q·c_k multiply-adds instead of
 * c_q·c_k·d. Then the pre-softmax head mix, and by the node's result:
 * - `stats`: the online row max and Σ exp of the mixed logits, written `[B, H, N, 2]`;
 * - `output` without post-softmax mixing: online softmax with rescaled accumulators (one kernel);
 * - `output` with it: probabilities from the statistics, the group's c_h×c_h mix, A·V.
 * Then the optional group norm (RMSNorm over d_v, gain γ). No N×N buffer and no workgroup memory;
 * keys are read from global memory by every invocation (no shared K tile yet).
 */
export function generateMultiToken(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeMultiToken(node.attrs);
  const at = multiTokenOperands(attrs);
  const context = new KernelContext(kernel, profile, options);
  const operand = (index: number) => node.inputs[index]!;
  const [q, k] = [operand(at.query), operand(at.key)];
  const load = (index: number, flat: string) => context.load(operand(index), flat);
  const dim = (value: Dim) => (typeof value === 'number' ? String(value) : `i32(${context.dim(value.name)})`);
  const { heads: H, kvHeads, valueHeads, headDim: D, valueDim: DV, queryKernel: CQ, keyKernel: CK } = attrs;
  const G = attrs.mixGroup;
  const half = (CK - 1) / 2;
  const groups = H / G;
  for (const [what, size] of [
    ['logit ring c_h·c_q·c_k', G * CQ * CK],
    ['accumulators c_h·d_v', G * DV],
  ] as const)
    if (size > MAX_PRIVATE_FLOATS)
      throw new UnsupportedError(
        `kernel ${kernel.id}: attention "${attrs.block}": the Multi-Token ${what} (${size}) exceeds ${MAX_PRIVATE_FLOATS} floats`,
        {
          block: attrs.block,
          expected: `<= ${MAX_PRIVATE_FLOATS}`,
          actual: size,
        },
      );
  const batch = q.shape[0]!;
  const stats = attrs.result === 'stats';
  const post = attrs.mixPlacement === 'postSoftmax';
  const masked = attrs.causal ? ' || col > row' : '';
  const logitFunction = [
    '// L(row, col): the scaled dot product, 0 where masked or outside the sequence (before the convolution).',
    'fn logit(b: i32, h: i32, row: i32, col: i32, nq: i32, nk: i32) -> f32 {',
    `  if (row < 0 || row >= nq || col < 0 || col >= nk${masked}) {`,
    '    return 0.0;',
    '  }',
    `  let q_base = ((b * ${H} + h) * nq + row) * ${D};`,
    `  let k_base = ((b * ${kvHeads} + (h * ${kvHeads}) / ${H}) * nk + col) * ${D};`,
    '  var dot = 0.0;',
    `  for (var e = 0; e < ${D}; e++) {`,
    `    dot += ${load(at.query, 'q_base + e')} * ${load(at.key, 'k_base + e')};`,
    '  }',
    `  return dot * ${floatLiteral(Math.fround(1 / Math.sqrt(D)))};`,
    '}',
  ].join('\n');
  const fillColumn = (column: string) => [
    `for (var c = 0; c < ${G}; c++) {`,
    `  for (var a = 0; a < ${CQ}; a++) {`,
    `    ring[(c * ${CQ} + a) * ${CK} + (${column}) % ${CK}] = logit(b, g * ${G} + c, i - ${CQ - 1} + a, ${column}, nq, nk);`,
    '  }',
    '}',
  ];
  // out_to = Σ_src W_g[src, to] · in_src over the group's heads.
  const mix = (into: string, from: string) => [
    `var ${into}: array<f32, ${G}>;`,
    `for (var to = 0; to < ${G}; to++) {`,
    '  var total = 0.0;',
    `  for (var src = 0; src < ${G}; src++) {`,
    `    total += ${load(at.headMix, `(g * ${G} + src) * ${G} + to`)} * ${from}[src];`,
    '  }',
    `  ${into}[to] = total;`,
    '}',
  ];
  const logits = attrs.mixPlacement === 'preSoftmax' ? 'mixed' : 'convolved';
  const valueBase = `  let v_base = ((b * ${valueHeads} + ((g * ${G} + c) * ${valueHeads}) / ${H}) * nk + j) * ${DV};`;
  const valueAt = (e: string) => load(at.value, `v_base + ${e}`);
  const online = [
    `for (var c = 0; c < ${G}; c++) {`,
    `  let top = max(row_max[c], ${logits}[c]);`,
    '  let rescale = exp(row_max[c] - top);',
    `  let weight = exp(${logits}[c] - top);`,
    '  row_sum[c] = row_sum[c] * rescale + weight;',
    '  row_max[c] = top;',
    ...(stats
      ? []
      : [
          valueBase,
          `  for (var e = 0; e < ${DV}; e++) {`,
          `    acc[c * ${DV} + e] = acc[c * ${DV} + e] * rescale + weight * ${valueAt('e')};`,
          '  }',
        ]),
    '}',
  ];
  const fromStats = () => [
    `var probability: array<f32, ${G}>;`,
    `for (var c = 0; c < ${G}; c++) {`,
    `  probability[c] = exp(${logits}[c] - row_max[c]) / row_sum[c];`,
    '}',
    ...mix('weights', 'probability'),
    `for (var c = 0; c < ${G}; c++) {`,
    valueBase,
    `  for (var e = 0; e < ${DV}; e++) {`,
    `    acc[c * ${DV} + e] += weights[c] * ${valueAt('e')};`,
    '  }',
    '}',
  ];
  const rowAt = `((b * ${H} + g * ${G} + c) * nq + i)`;
  const start =
    post && !stats
      ? [
          `var row_max: array<f32, ${G}>;`,
          `var row_sum: array<f32, ${G}>;`,
          `for (var c = 0; c < ${G}; c++) {`,
          `  let row_at = ${rowAt} * 2;`,
          `  row_max[c] = ${load(at.stats, 'row_at')};`,
          `  row_sum[c] = ${load(at.stats, 'row_at + 1')};`,
          '}',
        ]
      : [
          `var row_max: array<f32, ${G}>;`,
          `var row_sum: array<f32, ${G}>;`,
          `for (var c = 0; c < ${G}; c++) {`,
          '  row_max[c] = -3.4028234e38;',
          '}',
        ];
  const finish = stats
    ? [
        `for (var c = 0; c < ${G}; c++) {`,
        `  let row_at = ${rowAt} * 2;`,
        `  ${context.store(node, 'row_at', 'row_max[c]')}`,
        `  ${context.store(node, 'row_at + 1', 'row_sum[c]')}`,
        '}',
      ]
    : outputLines(context, node, attrs.groupNormEpsilon, at.normGain, { G, DV, rowAt, post });
  const body = [
    `let nq = ${dim(q.shape[2]!)};`,
    `let nk = ${dim(k.shape[2]!)};`,
    `let flat = i32(workgroup_index) * ${WORKGROUP} + i32(local_index);`,
    `if (flat >= ${dim(batch)} * ${groups} * nq) {`,
    '  return;',
    '}',
    'let i = flat % nq;',
    `let g = (flat / nq) % ${groups};`,
    `let b = flat / (nq * ${groups});`,
    `var ring: array<f32, ${G * CQ * CK}>;`,
    ...(half > 0
      ? [`for (var first = 0; first < ${half}; first++) {`, ...indent(fillColumn('first')), '}']
      : []),
    ...start,
    ...(stats ? [] : [`var acc: array<f32, ${G * DV}>;`]),
    `let last = ${attrs.causal ? 'min(i, nk - 1)' : 'nk - 1'};`,
    'for (var j = 0; j <= last; j++) {',
    ...indent([
      ...fillColumn(`j + ${half}`),
      `var convolved: array<f32, ${G}>;`,
      `for (var c = 0; c < ${G}; c++) {`,
      '  var total = 0.0;',
      `  for (var a = 0; a < ${CQ}; a++) {`,
      `    for (var t = 0; t < ${CK}; t++) {`,
      `      let theta = ${load(at.kernel, `((g * ${G} + c) * ${CQ} + a) * ${CK} + t`)};`,
      `      total += theta * ring[(c * ${CQ} + a) * ${CK} + (j + ${CK - half} + t) % ${CK}];`,
      '    }',
      '  }',
      '  convolved[c] = total;',
      '}',
      ...(attrs.mixPlacement === 'preSoftmax' ? mix('mixed', 'convolved') : []),
      ...(post && !stats ? fromStats() : online),
    ]),
    '}',
    ...finish,
  ];
  return context.build(MULTI_TOKEN_OP, {
    workgroupSize: [WORKGROUP, 1, 1],
    workgroupCount: (dims: DimBindings) =>
      Math.ceil((resolveDim(batch, dims) * groups * resolveDim(q.shape[2]!, dims)) / WORKGROUP),
    functions: [logitFunction],
    body,
  });
}

/** O = acc / Σ (or acc itself after the post-softmax mix), the optional group norm, the stores. */
function outputLines(
  context: KernelContext,
  node: Node,
  epsilon: number | null,
  gainOperand: number,
  shape: { G: number; DV: number; rowAt: string; post: boolean },
): string[] {
  const { G, DV, rowAt, post } = shape;
  const value = post ? `acc[c * ${DV} + e]` : `acc[c * ${DV} + e] / row_sum[c]`;
  const gain = (e: string) => context.load(node.inputs[gainOperand]!, e);
  return [
    `for (var c = 0; c < ${G}; c++) {`,
    ...(epsilon === null
      ? []
      : [
          '  var squares = 0.0;',
          `  for (var e = 0; e < ${DV}; e++) {`,
          `    let o = ${value};`,
          '    squares += o * o;',
          '  }',
          `  let inverse = inverseSqrt(squares / ${DV}.0 + ${floatLiteral(Math.fround(epsilon))});`,
        ]),
    `  let out_base = ${rowAt} * ${DV};`,
    `  for (var e = 0; e < ${DV}; e++) {`,
    `    let o = ${epsilon === null ? value : `${value} * inverse * ${gain('e')}`};`,
    `    ${context.store(node, 'out_base + e', 'o')}`,
    '  }',
    '}',
  ];
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
