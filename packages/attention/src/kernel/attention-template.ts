import {
  constant,
  type Dim,
  type DimBindings,
  dimExpr,
  type Expr,
  type Kernel,
  read,
  resolveDim,
  strideExprs,
  substituteExpr,
  UnsupportedError,
} from '@weft/ir';
import {
  type DeviceProfile,
  type GeneratedKernel,
  type GenerateOptions,
  KernelContext,
  registerTemplate,
} from '@weft/wgsl';
import { ATTENTION_OP, type AttentionAttrs, decodeAttention } from '../op/attention-attrs.js';
import { VARIABLE_NAMES as V } from '../spec/attention-variables.js';
import { chooseAttentionStrategy } from './attention-strategy.js';
import { blockedSoftmaxCode } from './blocked-softmax-code.js';
import { l1DistanceCode } from './l1-distance-code.js';
import { normalizerCode } from './normalizer-code.js';
import { LOWEST_F32 } from './online-tile-code.js';
import { rowCode } from './row-code.js';
import { splitKeysKernel } from './split-keys-kernel.js';
import { attentionTiles } from './tile-sizes.js';

/**
 * The fused attention kernel (FlashAttention-2 style): one workgroup per (batch·head, block of
 * queries), one invocation per query row (plain softmax on a software adapter: several rows per
 * invocation, see `blockedSoftmaxCode`). Rows are prepared as they are loaded (`rowCode`):
 * weighted-GQA mixing of the KV heads, QK norm (one invocation per key row of a tile, since the
 * statistic needs the whole row) and RoPE. K and V tiles are staged in workgroup memory; every
 * invocation keeps its query row and output accumulator in registers and folds each tile into
 * the normalizer's running state (online softmax: running max, sum and rescaled accumulator;
 * sigmoid, ReLU² and l1 maps need no running max; α-entmax makes a max pass and bisection
 * passes over the keys before accumulating). Before each tile, invocation 0 classifies the
 * (query block, key tile) pair with the mask's block rule: empty tiles are skipped, full tiles run
 * without the predicate. Lengths come from the `params` uniform, so one pipeline serves every
 * length up to the maxima; no N×N buffer exists. Decoding shapes (few queries, many keys) run the
 * split-keys variant instead (see `chooseAttentionStrategy` and `splitKeysKernel`).
 */
export function generateAttention(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const node = kernel.anchor;
  const attrs = decodeAttention(node.attrs);
  const context = new KernelContext(kernel, profile, options);
  const [query, key] = node.inputs as [Kernel['anchor'], Kernel['anchor']];
  const {
    queryBlock,
    keyBlock,
    rowsPerInvocation: blockedRows,
  } = attentionTiles(profile, attrs.headDim, attrs.valueDim);
  const size = (dim: Dim): string =>
    typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`;
  const headDim = attrs.headDim;
  const valueDim = attrs.valueDim;

  const render = (roots: readonly Expr[], prefix: string) =>
    context.render(
      roots.map((root) => bindReads(root, node, kernel)),
      VARIABLES,
      prefix,
    );
  const score = render([attrs.score], 'score_');
  const mask = attrs.mask === null ? undefined : render([attrs.mask], 'mask_');
  const blockRule =
    attrs.maskEmpty === null || attrs.maskFull === null
      ? undefined
      : render([attrs.maskEmpty, attrs.maskFull], 'block_');

  const rows = rowCode(context, attrs, node);
  const distance = l1DistanceCode(attrs);

  const strategy = chooseAttentionStrategy(attrs, query.shape[2]!, key.shape[2]!, profile);
  if (strategy.kind === 'splitKeys') {
    const split = splitKeysKernel({
      context,
      attrs,
      query,
      key,
      output: kernel.outputs[0]!,
      size,
      rows,
      score,
      mask,
      blockRule,
      render,
      splits: strategy.splits,
    });
    return context.build(ATTENTION_OP, {
      workgroupSize: split.workgroupSize,
      workgroupCount: split.workgroupCount,
      body: split.body,
    });
  }

  // Plain softmax may compute several query rows per invocation (see `blockedSoftmaxCode`).
  const rowsPerInvocation =
    attrs.normalizer.name === 'softmax' &&
    attrs.normalizer.sink === null &&
    attrs.output === 'output' &&
    distance.declare.length === 0 &&
    queryBlock % blockedRows === 0
      ? blockedRows
      : 1;
  const invocations = queryBlock / rowsPerInvocation;
  const keyLoad = (index: string) => rows.kvLoad('key', 'key_i', index);
  // K rows are staged as vec4s (zero-padded past the head dim) so that each score is
  // `keyVectors` dot products with the query row's vec4s, all at constant indices.
  const keyVectors = Math.ceil(headDim / 4);
  // V rows likewise: `accumulateValueTile` reads them a vec4 at a time.
  const valueVectors = Math.ceil(valueDim / 4);
  // With QK norm every key row needs its statistic first: one invocation prepares a whole row.
  const keyTileLoad = rows.needsWholeRow
    ? [
        `for (var j = i32(local_index); j < ${keyBlock}; j += ${invocations}) {`,
        '  let key_i = tile_k0 + j;',
        `  for (var v = 0; v < ${keyVectors}; v++) {`,
        `    key_tile[j * ${keyVectors} + v] = vec4<f32>(0.0);`,
        '  }',
        '  if (key_i < nk) {',
        ...indent(
          rows.fillRow(
            'key',
            keyLoad,
            'key_i',
            (d) => `key_tile[j * ${keyVectors} + (${d}) / 4][(${d}) % 4]`,
          ),
          2,
        ),
        '  }',
        '}',
      ]
    : [
        `for (var index = i32(local_index); index < ${keyBlock * keyVectors}; index += ${invocations}) {`,
        `  let key_i = tile_k0 + index / ${keyVectors};`,
        `  let d0 = (index % ${keyVectors}) * 4;`,
        '  var packed = vec4<f32>(0.0);',
        '  if (key_i < nk) {',
        ...Array.from({ length: 4 }, (_, lane) => [
          `    if (d0 + ${lane} < ${headDim}) {`,
          `      let d = d0 + ${lane};`,
          '      var rotated = 0.0;',
          ...indent(rows.rotated(keyLoad, 'd', 'key_i'), 3),
          `      packed[${lane}] = rotated;`,
          '    }',
        ]).flat(),
        '  }',
        '  key_tile[index] = packed;',
        '}',
      ];
  const queryVector = (vector: number, row = 'query_row') =>
    `vec4<f32>(${Array.from({ length: 4 }, (_, lane) => (4 * vector + lane < headDim ? `${row}[${4 * vector + lane}]` : '0.0')).join(', ')})`;
  // The score loop of one query row per invocation: `scores[j]` and the `kept` mask of the tile.
  const singleRowScores = [
    'var kept = 0u;',
    'for (var j = 0; j < tile_keys; j++) {',
    '  let key_i = tile_k0 + j;',
    '  var raw = 0.0;',
    ...indent(distance.declare, 1),
    // The predicate runs first so that masked keys of a partial tile cost no dot product.
    ...(mask === undefined
      ? ['  {']
      : [
          '  var keep = true;',
          '  if (tile_kind == 1u) {',
          ...indent(mask.lines, 2),
          `    keep = ${mask.values[0]};`,
          '  }',
          '  if (keep) {',
        ]),
    `    let key_base = j * ${keyVectors};`,
    `    raw = ${Array.from({ length: keyVectors }, (_, vector) => `dot(query_vec_${vector}, key_tile[key_base + ${vector}])`).join(' + ')};`,
    ...Array.from({ length: headDim }, (_, d) =>
      indent(distance.accumulate(`query_row[${d}]`, `key_tile[key_base + ${d >> 2}][${d & 3}]`), 2),
    ).flat(),
    ...indent(score.lines, 2),
    `    scores[j] = ${score.values[0]};`,
    '    kept |= 1u << u32(j);',
    '  }',
    '}',
  ];
  const keyPass = (
    withValues: boolean,
    body: readonly string[],
    scoreLoop: readonly string[] = singleRowScores,
  ): string[] => [
    'for (var tile = 0; tile < key_tiles; tile++) {',
    `  let tile_k0 = tile * ${keyBlock};`,
    `  let tile_k1 = min(tile_k0 + ${keyBlock}, nk) - 1;`,
    '  workgroupBarrier();',
    // Without a block rule every tile is partial: no classification, no extra barrier.
    ...(blockRule === undefined
      ? ['  let tile_kind = 1u;']
      : [
          '  if (local_index == 0u) {',
          ...indent(blockRule.lines, 2),
          `    tile_class[0] = select(select(1u, 2u, ${blockRule.values[1]}), 0u, ${blockRule.values[0]});`,
          '  }',
          '  let tile_kind = workgroupUniformLoad(&tile_class[0]);',
          '  if (tile_kind == 0u) {',
          '    continue;',
          '  }',
        ]),
    ...indent(keyTileLoad, 1),
    ...(withValues
      ? [
          `  for (var index = i32(local_index); index < ${keyBlock * valueVectors}; index += ${invocations}) {`,
          `    let key_i = tile_k0 + index / ${valueVectors};`,
          `    let d0 = (index % ${valueVectors}) * 4;`,
          '    var loaded = vec4<f32>(0.0);',
          '    if (key_i < nk) {',
          ...Array.from({ length: 4 }, (_, lane) => [
            `      if (d0 + ${lane} < ${valueDim}) {`,
            `        loaded[${lane}] = ${rows.kvLoad('value', 'key_i', `d0 + ${lane}`)};`,
            '      }',
          ]).flat(),
          '    }',
          '    value_tile[index] = loaded;',
          '  }',
        ]
      : []),
    '  workgroupBarrier();',
    '  let tile_keys = tile_k1 - tile_k0 + 1;',
    ...indent(scoreLoop, 1),
    ...indent(body, 1),
    '}',
  ];

  context.workgroupArray('key_tile', 'vec4<f32>', keyBlock * keyVectors);
  context.workgroupArray('value_tile', 'vec4<f32>', keyBlock * valueVectors);
  if (blockRule !== undefined) context.workgroupArray('tile_class', 'u32', 1);
  const normalizer = normalizerCode(attrs.normalizer, { render, keyBlock, valueDim });
  const batchHeads = `${size(query.shape[0]!)} * ${attrs.heads}`;
  const output = kernel.outputs[0]!;
  const prelude = [
    `let nq = ${size(query.shape[2]!)};`,
    `let nk = ${size(key.shape[2]!)};`,
    `let query_blocks = (nq + ${queryBlock - 1}) / ${queryBlock};`,
    'let block_q = i32(workgroup_index) % query_blocks;',
    'let bh = i32(workgroup_index) / query_blocks;',
    `if (bh >= ${batchHeads}) {`,
    '  return;',
    '}',
    `let h_i = bh % ${attrs.heads};`,
    `let b_i = bh / ${attrs.heads};`,
    ...rows.header,
    `let block_q0 = block_q * ${queryBlock};`,
    `let block_q1 = min(block_q0 + ${queryBlock}, nq) - 1;`,
    `let key_tiles = (nk + ${keyBlock - 1}) / ${keyBlock};`,
  ];
  const workgroupCount = (dims: DimBindings) =>
    resolveDim(query.shape[0]!, dims) *
    attrs.heads *
    Math.ceil(resolveDim(query.shape[2]!, dims) / queryBlock);
  if (rowsPerInvocation > 1) {
    const blocked = blockedSoftmaxCode(
      { rows: rowsPerInvocation, keyVectors, valueDim, score, mask },
      keyBlock,
    );
    const rowIndices = Array.from({ length: rowsPerInvocation }, (_, row) => row);
    const blockedBody = [
      ...prelude,
      ...rowIndices.flatMap((row) => [
        `let row_${row} = block_q0 + ${row * invocations} + i32(local_index);`,
        // As in the one-row kernel: rows past the end compute on the last row and store nothing.
        `let q_i_${row} = min(row_${row}, nq - 1);`,
        `var query_row_${row}: array<f32, ${headDim}>;`,
        '{',
        `  let query_flat = (bh * nq + q_i_${row}) * ${headDim};`,
        ...indent(
          rows.fillRow(
            'query',
            (index) => context.load(query, `query_flat + ${index}`),
            `q_i_${row} + nk - nq`,
            (d) => `query_row_${row}[${d}]`,
          ),
          1,
        ),
        '}',
        ...Array.from(
          { length: keyVectors },
          (_, vector) => `let query_${row}_vec_${vector} = ${queryVector(vector, `query_row_${row}`)};`,
        ),
      ]),
      ...blocked.setup,
      ...keyPass(true, blocked.tile, blocked.scores),
      ...rowIndices.flatMap((row) => [
        `if (row_${row} < nq) {`,
        `  let out_flat = (bh * nq + row_${row}) * ${valueDim};`,
        `  let scale = ${blocked.outputScale(row)};`,
        `  for (var d = 0; d < ${valueDim}; d++) {`,
        `    ${context.store(output, 'out_flat + d', `acc_${row}[d] * scale`)}`,
        '  }',
        '}',
      ]),
    ];
    return context.build(ATTENTION_OP, {
      workgroupSize: [invocations, 1, 1],
      workgroupCount,
      body: blockedBody,
    });
  }
  const body = [
    ...prelude,
    `let row = block_q0 + i32(local_index);`,
    '// Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.',
    'let q_i = min(row, nq - 1);',
    `let query_flat = (bh * nq + q_i) * ${headDim};`,
    `var query_row: array<f32, ${headDim}>;`,
    ...rows.fillRow(
      'query',
      (index) => context.load(query, `query_flat + ${index}`),
      'q_i + nk - nq',
      (d) => `query_row[${d}]`,
    ),
    ...Array.from({ length: keyVectors }, (_, vector) => `let query_vec_${vector} = ${queryVector(vector)};`),
    `var acc: array<f32, ${valueDim}>;`,
    `var scores: array<f32, ${keyBlock}>;`,
    ...normalizer.setup,
    ...(attrs.output === 'rowMax' ? [`var score_max = ${LOWEST_F32};`, 'var any_kept = false;'] : []),
    ...normalizer.passes.flatMap((pass, index) => [
      ...pass.before,
      ...keyPass(
        pass.withValues,
        index === 0 && attrs.output === 'rowMax' ? [...ROW_MAX, ...pass.tile] : pass.tile,
      ),
      ...pass.after,
    ]),
    'if (row < nq) {',
    ...(attrs.output === 'rowMax'
      ? [
          `  ${context.store(output, 'bh * nq + row', useInfinity(context, 'select(-weft_inf(), score_max, any_kept)'))}`,
        ]
      : attrs.output === 'logSumExp'
        ? normalizer.logSumExp === undefined
          ? unsupported(attrs)
          : [`  ${context.store(output, 'bh * nq + row', useInfinity(context, normalizer.logSumExp))}`]
        : [
            `  let out_flat = (bh * nq + row) * ${valueDim};`,
            ...indent(normalizer.finish, 1),
            `  for (var d = 0; d < ${valueDim}; d++) {`,
            `    ${context.store(output, 'out_flat + d', `acc[d] * ${normalizer.outputScale}`)}`,
            '  }',
          ]),
    '}',
  ];
  return context.build(ATTENTION_OP, {
    workgroupSize: [queryBlock, 1, 1],
    workgroupCount,
    body,
  });
}

registerTemplate(ATTENTION_OP, generateAttention);

/** Tracks the max of the kept scores of a tile (the `rowMax` output). */
const ROW_MAX = [
  'for (var j = 0; j < tile_keys; j++) {',
  '  if (((kept >> u32(j)) & 1u) != 0u) {',
  '    score_max = max(score_max, scores[j]);',
  '    any_kept = true;',
  '  }',
  '}',
];

/** WGSL names of the attention variables inside the kernel. */
const VARIABLES: Readonly<Record<string, string>> = {
  [V.score]: 'raw',
  [V.l1Distance]: 'l1_distance',
  [V.b]: 'b_i',
  [V.h]: 'h_i',
  [V.kvHead]: 'kv_head_i',
  [V.valueHead]: 'value_head_i',
  [V.q]: 'q_i',
  [V.k]: 'key_i',
  [V.queryLength]: 'nq',
  [V.keyLength]: 'nk',
  [V.queryStart]: 'block_q0',
  [V.queryEnd]: 'block_q1',
  [V.keyStart]: 'tile_k0',
  [V.keyEnd]: 'tile_k1',
};

/** Rewrites reads of captured tensors (by name, one index per axis) into flat reads of kernel inputs (`#n`). */
function bindReads(expr: Expr, node: Kernel['anchor'], kernel: Kernel): Expr {
  const attrs = decodeAttention(node.attrs);
  return substituteExpr(expr, (part) => {
    if (part.kind !== 'read') return undefined;
    const position = attrs.tensors.findIndex((use) => use.name === part.payload);
    const tensor = node.inputs[3 + position];
    const input = tensor === undefined ? -1 : kernel.inputs.indexOf(tensor);
    if (tensor === undefined || input < 0) {
      throw new UnsupportedError('attention kernel: a captured tensor is not a kernel input', {
        tensor: String(part.payload),
      });
    }
    const strides = strideExprs(tensor.shape);
    // An index computed on the device is clamped into its axis (like `gather`): a read past the
    // end gives the edge element, never another tensor's memory. Bare index variables are checked
    // against the tensor's size when the graph is built (`inferAttention`).
    const flat = part.args.reduce<Expr>(
      (sum, index, axis) => {
        const last = dimExpr(tensor.shape[axis]!).sub(constant(1, 'i32'));
        const clamped = bindReads(index, node, kernel).cast('i32').max(constant(0, 'i32')).min(last);
        return sum.add(clamped.mul(strides[axis]!));
      },
      constant(0, 'i32'),
    );
    return read(`#${input}`, [flat], part.dtype);
  });
}

function useInfinity(context: KernelContext, text: string): string {
  context.helpers.add('weft_inf');
  return text;
}

function unsupported(attrs: AttentionAttrs): never {
  throw new UnsupportedError(`attention "${attrs.block}": log-sum-exp exists for softmax only`, {
    expected: 'softmax',
    actual: attrs.normalizer.name,
  });
}

function indent(lines: readonly string[], levels: number): string[] {
  return lines.map((line) => `${'  '.repeat(levels)}${line}`);
}
