import { type DimBindings, type Node, resolveDim } from '@weft/ir';
import type { KernelContext, RenderedExprs } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import { l1DistanceCode } from './l1-distance-code.js';
import type { NormalizerContext } from './normalizer-code.js';
import { LOWEST_F32 } from './online-tile-code.js';
import type { RowCode } from './row-code.js';
import { splitNormalizerCode } from './split-normalizer-code.js';

/** What the split-keys kernel shares with the tiled one: rendered hooks and load helpers. */
export interface SplitKeysParts {
  /** The kernel being generated. */
  readonly context: KernelContext;
  /** Decoded attributes. */
  readonly attrs: AttentionAttrs;
  /** Query operand. */
  readonly query: Node;
  /** Key operand. */
  readonly key: Node;
  /** The kernel's output. */
  readonly output: Node;
  /** WGSL i32 text of a dim. */
  size(dim: Node['shape'][number]): string;
  /** Row loads: weighted-GQA mixing, QK norm and RoPE. */
  readonly rows: RowCode;
  /** The rendered score. */
  readonly score: RenderedExprs;
  /** The rendered mask predicate, if any. */
  readonly mask: RenderedExprs | undefined;
  /** The rendered block rule (empty, full), if any. */
  readonly blockRule: RenderedExprs | undefined;
  /** Renders normalizer parameters. */
  readonly render: NormalizerContext['render'];
  /** Chunks per row (= invocations per workgroup). */
  readonly splits: number;
}

/** The body, workgroup size and workgroup count of the split-keys kernel. */
export interface SplitKeysKernel {
  /** Entry point statements. */
  readonly body: readonly string[];
  /** Invocations per workgroup (one per chunk). */
  readonly workgroupSize: [number, number, number];
  /** One workgroup per (batch, head, query). */
  workgroupCount(dims: DimBindings): number;
}

/**
 * Flash decoding inside one workgroup per (batch·head, query): invocation c folds the keys of
 * chunk c (contiguous, ⌈Nk/splits⌉ keys, classified by the mask's block rule so empty chunks are
 * skipped and full ones run without the predicate) into a partial (max, sum, accumulator) in
 * registers, writes it to workgroup memory, and after one barrier the invocations merge the
 * partials per value dim: O = Σ_c e^{m_c − M} acc_c / Σ_c e^{m_c − M} l_c (M = max_c m_c) for
 * softmax, plain sums for the others (identity's output norm then runs on the merged row). K and V
 * rows are read once each, straight from storage.
 */
export function splitKeysKernel(parts: SplitKeysParts): SplitKeysKernel {
  const { context, attrs, query, key, output, splits } = parts;
  const headDim = attrs.headDim;
  const valueDim = attrs.valueDim;
  const normalizer = splitNormalizerCode(
    attrs.normalizer,
    { render: parts.render, keyBlock: splits, valueDim },
    (d) => parts.rows.kvLoad('value', 'key_i', d),
  );
  context.workgroupArray('part_m', 'f32', splits);
  context.workgroupArray('part_l', 'f32', splits);
  context.workgroupArray('part_max', 'f32', splits);
  context.workgroupArray('part_acc', 'f32', splits * valueDim);
  if (normalizer.weightedSum === true) context.workgroupArray('part_w', 'f32', splits);
  const keyLoad = (index: string) => parts.rows.kvLoad('key', 'key_i', index);
  const distance = l1DistanceCode(attrs);
  // Without QK norm each key element is rotated as it is read; with it the row is prepared first.
  const keyDot = parts.rows.needsWholeRow
    ? [
        `var key_row: array<f32, ${headDim}>;`,
        ...parts.rows.fillRow('key', keyLoad, 'key_i', (d) => `key_row[${d}]`),
        `for (var d = 0; d < ${headDim}; d++) {`,
        '  raw += query_row[d] * key_row[d];',
        ...indent(distance.accumulate('query_row[d]', 'key_row[d]'), 1),
        '}',
      ]
    : [
        `for (var d = 0; d < ${headDim}; d++) {`,
        '  var rotated = 0.0;',
        ...indent(parts.rows.rotated(keyLoad, 'd', 'key_i'), 1),
        '  raw += query_row[d] * rotated;',
        ...indent(distance.accumulate('query_row[d]', 'rotated'), 1),
        '}',
      ];
  const factor = (chunk: string) => (normalizer.rescales ? `exp(part_m[${chunk}] - merged_max)` : '1.0');
  const merge = [
    `var merged_max = ${LOWEST_F32};`,
    `for (var c = 0; c < ${splits}; c++) {`,
    '  merged_max = max(merged_max, part_m[c]);',
    '}',
    ...normalizer.mergeMax,
    `var merged_l = ${normalizer.mergeInitial};`,
    `for (var c = 0; c < ${splits}; c++) {`,
    `  merged_l += part_l[c] * ${factor('c')};`,
    '}',
    ...(normalizer.weightedSum === true
      ? [
          'var merged_w = 0.0;',
          `for (var c = 0; c < ${splits}; c++) {`,
          `  merged_w += part_w[c] * ${factor('c')};`,
          '}',
        ]
      : []),
  ];
  let store: string[];
  if (attrs.output === 'output' && normalizer.outputNorm !== undefined) {
    // The norm needs every merged value dim: each invocation merges the whole row, then stores its dims.
    store = [
      ...merge,
      `var merged_row: array<f32, ${valueDim}>;`,
      `for (var d = 0; d < ${valueDim}; d++) {`,
      `  for (var c = 0; c < ${splits}; c++) {`,
      `    merged_row[d] += part_acc[c * ${valueDim} + d] * ${factor('c')};`,
      '  }',
      '}',
      ...normalizer.outputNorm,
      `for (var d = i32(local_index); d < ${valueDim}; d += ${splits}) {`,
      `  ${context.store(output, `(bh * nq + q_i) * ${valueDim} + d`, `merged_row[d] * ${normalizer.outputScale}`)}`,
      '}',
    ];
  } else if (attrs.output === 'output') {
    store = [
      ...merge,
      ...(normalizer.outputFinish ?? []),
      `for (var d = i32(local_index); d < ${valueDim}; d += ${splits}) {`,
      '  var total = 0.0;',
      `  for (var c = 0; c < ${splits}; c++) {`,
      `    total += part_acc[c * ${valueDim} + d] * ${factor('c')};`,
      '  }',
      `  ${context.store(output, `(bh * nq + q_i) * ${valueDim} + d`, normalizer.outputValue?.('total', 'd') ?? `total * ${normalizer.outputScale}`)}`,
      '}',
    ];
  } else {
    context.helpers.add('weft_inf');
    const value =
      attrs.output === 'rowMax'
        ? 'select(-weft_inf(), row_max, row_max > -3.0e38)'
        : (normalizer.logSumExp ?? '0.0');
    store = [
      'if (local_index == 0u) {',
      ...merge.map((line) => `  ${line}`),
      `  var row_max = ${LOWEST_F32};`,
      `  for (var c = 0; c < ${splits}; c++) {`,
      '    row_max = max(row_max, part_max[c]);',
      '  }',
      `  ${context.store(output, 'bh * nq + q_i', value)}`,
      '}',
    ];
  }
  const chunkKind =
    parts.blockRule === undefined
      ? ['chunk_kind = 1u;']
      : [
          'let block_q0 = q_i;',
          'let block_q1 = q_i;',
          'let tile_k0 = chunk_k0;',
          'let tile_k1 = chunk_k1;',
          ...parts.blockRule.lines,
          `chunk_kind = select(select(1u, 2u, ${parts.blockRule.values[1]}), 0u, ${parts.blockRule.values[0]});`,
        ];
  const body = [
    `let nq = ${parts.size(query.shape[2]!)};`,
    `let nk = ${parts.size(key.shape[2]!)};`,
    'let q_i = i32(workgroup_index) % nq;',
    'let bh = i32(workgroup_index) / nq;',
    `if (bh >= ${parts.size(query.shape[0]!)} * ${attrs.heads}) {`,
    '  return;',
    '}',
    `let h_i = bh % ${attrs.heads};`,
    `let b_i = bh / ${attrs.heads};`,
    ...parts.rows.header,
    `let chunk = (nk + ${splits - 1}) / ${splits};`,
    'let chunk_k0 = i32(local_index) * chunk;',
    'let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;',
    `let query_flat = (bh * nq + q_i) * ${headDim};`,
    `var query_row: array<f32, ${headDim}>;`,
    ...parts.rows.fillRow(
      'query',
      (index) => context.load(query, `query_flat + ${index}`),
      'q_i + nk - nq',
      (d) => `query_row[${d}]`,
    ),
    `var acc: array<f32, ${valueDim}>;`,
    `var m_run = ${LOWEST_F32};`,
    'var l_run = 0.0;',
    `var score_max = ${LOWEST_F32};`,
    ...normalizer.setup,
    'var chunk_kind = 0u;',
    'if (chunk_k0 <= chunk_k1) {',
    ...indent(chunkKind, 1),
    '}',
    'if (chunk_kind != 0u) {',
    '  for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {',
    ...(parts.mask === undefined
      ? []
      : [
          '    if (chunk_kind == 1u) {',
          ...indent(parts.mask.lines, 3),
          `      if (!(${parts.mask.values[0]})) {`,
          '        continue;',
          '      }',
          '    }',
        ]),
    '    var raw = 0.0;',
    ...indent(distance.declare, 2),
    ...indent(keyDot, 2),
    ...indent(parts.score.lines, 2),
    `    let s = ${parts.score.values[0]};`,
    '    score_max = max(score_max, s);',
    ...indent(normalizer.perKey, 2),
    '  }',
    '}',
    'part_m[local_index] = m_run;',
    'part_l[local_index] = l_run;',
    ...(normalizer.weightedSum === true ? ['part_w[local_index] = w_run;'] : []),
    'part_max[local_index] = score_max;',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  part_acc[local_index * ${valueDim}u + u32(d)] = acc[d];`,
    '}',
    'workgroupBarrier();',
    ...store,
  ];
  return {
    body,
    workgroupSize: [splits, 1, 1],
    workgroupCount: (dims) =>
      resolveDim(query.shape[0]!, dims) * attrs.heads * resolveDim(query.shape[2]!, dims),
  };
}

function indent(lines: readonly string[], levels: number): string[] {
  return lines.map((line) => `${'  '.repeat(levels)}${line}`);
}
