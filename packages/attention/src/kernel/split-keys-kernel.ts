import { type DimBindings, type Node, resolveDim } from '@weft/ir';
import type { KernelContext, RenderedExprs } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import { l1DistanceCode } from './l1-distance-code.js';
import { type NormalizerContext, splitNormalizerCode } from './normalizer-code.js';
import { LOWEST_F32 } from './online-tile-code.js';
import type { RowCode } from './row-code.js';
import { unsupportedLogSumExp } from './row-epilogue-code.js';
import { headRowOffset } from './view-offsets.js';
import { constantNotes, indent, type KernelFunctions, SCORE_STRUCT } from './wgsl-functions.js';

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
  /** What the kernel writes: output, log-sum-exp, row max. */
  readonly writes: AttentionWrites;
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
  /** The module's helpers. */
  readonly functions: KernelFunctions;
}

/** The body, workgroup size and workgroup count of the split-keys kernel. */
export interface SplitKeysKernel {
  /** Entry point statements (after the header lets: nq, nk, q_i, bh, h_i, b_i and the K/V rows). */
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
 * softmax, plain sums for the others (identity's output norm then runs on the merged row). The row
 * log-sum-exp M + log Σ_c e^{m_c − M} l_c and the row max come from the same merged partials, in
 * the same kernel. K and V rows are read once each, straight from storage.
 */
export function splitKeysKernel(parts: SplitKeysParts): SplitKeysKernel {
  const { context, attrs, query, writes, splits } = parts;
  const headDim = attrs.headDim;
  const valueDim = attrs.valueDim;
  const normalizer = splitNormalizerCode(
    attrs.normalizerDef,
    attrs.normalizer,
    { render: parts.render, keyBlock: splits, valueDim, functions: parts.functions },
    (d) => parts.rows.kvLoad('value', 'key_i', d),
  );
  context.workgroupArray('part_m', 'f32', splits);
  context.workgroupArray('part_l', 'f32', splits);
  context.workgroupArray('part_max', 'f32', splits);
  context.workgroupArray('part_acc', 'f32', splits * valueDim);
  if (normalizer.weightedSum === true) context.workgroupArray('part_w', 'f32', splits);
  const keyLoad = (index: string) => parts.rows.kvLoad('key', 'key_i', index);
  const distance = l1DistanceCode(attrs);
  const functions = parts.functions;
  const rowArray = `array<f32, ${headDim}>`;
  const loadQueryRow = functions.define({
    name: 'load_query_row',
    comment: 'Query row q_i, prepared (QK norm, RoPE).',
    returns: rowArray,
    body: [
      `let query_flat = ${headRowOffset(context, query, 'q_i', headDim)};`,
      `var row: ${rowArray};`,
      ...parts.rows.fillRow(
        'query',
        (index) => context.load(query, `query_flat + ${index}`),
        'q_i + nk - nq',
        (d) => `row[${d}]`,
      ),
      'return row;',
    ],
  });
  // Without QK norm each key element is rotated as it is read; with it the row is prepared first.
  const keyDot = parts.rows.needsWholeRow
    ? [
        `var key_row: ${rowArray};`,
        ...parts.rows.fillRow('key', keyLoad, 'key_i', (d) => `key_row[${d}]`),
        `for (var d = 0; d < ${headDim}; d++) {`,
        '  raw += query_row[d] * key_row[d];',
        ...indent(distance.accumulate('query_row[d]', 'key_row[d]'), 1),
        '}',
      ]
    : [
        `for (var d = 0; d < ${headDim}; d++) {`,
        `  let key_element = ${parts.rows.rotated(keyLoad, 'd', 'key_i')};`,
        '  raw += query_row[d] * key_element;',
        ...indent(distance.accumulate('query_row[d]', 'key_element'), 1),
        '}',
      ];
  functions.add(SCORE_STRUCT);
  const scoreKey = functions.define({
    name: 'score_key',
    comment:
      'The score of the query row against key key_i, and whether the mask keeps the pair\n' +
      '(chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).',
    params: [
      ['query_row', rowArray],
      ['key_i', 'i32'],
      ['chunk_kind', 'u32'],
    ],
    returns: 'Score',
    body: [
      ...(parts.mask === undefined
        ? []
        : [
            'if (chunk_kind == 1u) {',
            ...indent(parts.mask.lines, 1),
            `  if (!(${parts.mask.values[0]})) {`,
            '    return Score(0.0, false);',
            '  }',
            '}',
          ]),
      'var raw = 0.0;',
      ...distance.declare,
      ...keyDot,
      ...constantNotes(parts.score.lines.concat(parts.score.values), headDim),
      ...parts.score.lines,
      `return Score(${parts.score.values[0]}, true);`,
    ],
  });
  const classify = functions.define({
    name: 'classify_chunk',
    comment:
      'The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).',
    params: [
      ['chunk_k0', 'i32'],
      ['chunk_k1', 'i32'],
    ],
    returns: 'u32',
    body:
      parts.blockRule === undefined
        ? ['return select(0u, 1u, chunk_k0 <= chunk_k1);']
        : [
            'if (chunk_k0 > chunk_k1) {',
            '  return 0u;',
            '}',
            'let block_q0 = q_i;',
            'let block_q1 = q_i;',
            'let tile_k0 = chunk_k0;',
            'let tile_k1 = chunk_k1;',
            ...parts.blockRule.lines,
            `let full = ${parts.blockRule.values[1]};`,
            `let empty = ${parts.blockRule.values[0]};`,
            'return select(select(1u, 2u, full), 0u, empty);',
          ],
  });
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
  const output = writes.output;
  const outputRow = output === undefined ? '' : headRowOffset(context, output, 'q_i', valueDim);
  let store: string[] = [];
  if (output !== undefined && normalizer.outputNorm !== undefined) {
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
      `  ${context.store(output, `${outputRow} + d`, `merged_row[d] * ${normalizer.outputScale}`)}`,
      '}',
    ];
  } else if (output !== undefined) {
    store = [
      ...merge,
      ...(normalizer.outputFinish ?? []),
      `for (var d = i32(local_index); d < ${valueDim}; d += ${splits}) {`,
      '  var total = 0.0;',
      `  for (var c = 0; c < ${splits}; c++) {`,
      `    total += part_acc[c * ${valueDim} + d] * ${factor('c')};`,
      '  }',
      `  ${context.store(output, `${outputRow} + d`, normalizer.outputValue?.('total', 'd') ?? `total * ${normalizer.outputScale}`)}`,
      '}',
    ];
  }
  // The row statistics, from the same merged partials (every invocation holds them; one stores).
  const statistics: string[] = [];
  if (writes.rowMax !== undefined) {
    statistics.push(
      `var row_max = ${LOWEST_F32};`,
      `for (var c = 0; c < ${splits}; c++) {`,
      '  row_max = max(row_max, part_max[c]);',
      '}',
      context.store(writes.rowMax, 'bh * nq + q_i', 'select(-weft_inf(), row_max, row_max > -3.0e38)'),
    );
  }
  if (writes.logSumExp !== undefined) {
    if (normalizer.logSumExp === undefined) {
      unsupportedLogSumExp(attrs);
    }
    statistics.push(context.store(writes.logSumExp, 'bh * nq + q_i', normalizer.logSumExp));
  }
  if (statistics.length > 0) {
    context.helpers.add('weft_inf');
    store.push(
      'if (local_index == 0u) {',
      ...indent([...(output === undefined ? merge : []), ...statistics], 1),
      '}',
    );
  }
  const body = [
    `let chunk = (nk + ${splits - 1}) / ${splits};`,
    'let chunk_k0 = i32(local_index) * chunk;',
    'let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;',
    `let query_row = ${loadQueryRow()};`,
    `var acc: array<f32, ${valueDim}>;`,
    `var m_run = ${LOWEST_F32};`,
    'var l_run = 0.0;',
    `var score_max = ${LOWEST_F32};`,
    ...normalizer.setup,
    `let chunk_kind = ${classify()};`,
    'if (chunk_kind != 0u) {',
    '  for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {',
    `    let score = ${scoreKey()};`,
    '    if (!score.kept) {',
    '      continue;',
    '    }',
    '    let s = score.value;',
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
