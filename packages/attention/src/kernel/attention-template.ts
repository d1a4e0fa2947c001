import {
  constant,
  type Dim,
  type DimBindings,
  dimExpr,
  type Expr,
  type Kernel,
  maxDim,
  read,
  resolveDim,
  strideExprs,
  substituteExpr,
  UnsupportedError,
} from '@weft/ir';
import { type DeviceProfile, type GeneratedKernel, type GenerateOptions, KernelContext } from '@weft/wgsl';
import { ATTENTION_OP, type AttentionAttrs } from '../op/attention-attrs.js';
import { decodeAttentionNode } from '../op/attention-node.js';
import { VARIABLE_NAMES as V } from '../spec/attention-variables.js';
import { chooseAttentionStrategy } from './attention-strategy.js';
import { attentionWrites } from './attention-writes.js';
import { blockedSoftmaxCode } from './blocked-softmax-code.js';
import { l1DistanceCode } from './l1-distance-code.js';
import { type KeyPass, normalizerCode } from './normalizer-code.js';
import { eachKeptKey, LOWEST_F32 } from './online-tile-code.js';
import { onlineReadouts, probeHelpers, writesReadouts } from './readout-code.js';
import { rowCode } from './row-code.js';
import { splitKeysKernel } from './split-keys-kernel.js';
import { tileFunctions } from './tile-code.js';
import { attentionTiles } from './tile-sizes.js';
import { accumulateValueTileFunction } from './value-tile-code.js';
import { rowOffset } from './view-offsets.js';
import {
  type BlockField,
  constantNotes,
  dropUnusedLets,
  indent,
  KernelFunctions,
  mentions,
  SCORE_STRUCT,
  wrapLine,
  wrapSum,
} from './wgsl-functions.js';

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
  const attrs = decodeAttentionNode(node);
  // Output, log-sum-exp and row max: whichever of them the graph asks for, written by this one pass.
  const writes = attentionWrites(kernel);
  const context = new KernelContext(kernel, profile, options);
  const [query, key] = node.inputs as [Kernel['anchor'], Kernel['anchor']];
  // A mask whose block rule reads a table (a block table, a tile table) may call most tiles empty:
  // the tiled kernel lists the non-empty ones before its loop instead of visiting every tile.
  const listed = attrs.maskListsTiles && attrs.maskEmpty !== null && attrs.maskFull !== null;
  const maxKeys = maxDim(key.shape[2]!);
  const {
    queryBlock,
    keyBlock,
    rowsPerInvocation: blockedRows,
  } = attentionTiles(profile, attrs.headDim, attrs.valueDim, listed ? maxKeys : undefined);
  const size = (dim: Dim): string =>
    typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`;
  const headDim = attrs.headDim;
  const valueDim = attrs.valueDim;

  const render = (roots: readonly Expr[], prefix: string, variables: Readonly<Record<string, string>> = {}) =>
    context.render(
      roots.map((root) => bindReads(root, node, kernel)),
      { ...VARIABLES, ...variables },
      prefix,
    );
  const score = render([attrs.score], 'score_');
  const mask = attrs.mask === null ? undefined : render([attrs.mask], 'mask_');
  const blockRule =
    attrs.maskEmpty === null || attrs.maskFull === null
      ? undefined
      : render([attrs.maskEmpty, attrs.maskFull], 'block_');

  // Readouts are folded into the tiled kernel's online pass (split keys would have to merge them).
  const strategy = writesReadouts(writes)
    ? ({ kind: 'tiled' } as const)
    : chooseAttentionStrategy(attrs, query.shape[2]!, key.shape[2]!, profile);
  const heads = attrs.heads;
  const batchHeads =
    typeof query.shape[0] === 'number'
      ? String(query.shape[0] * heads)
      : `${size(query.shape[0]!)} * ${heads}`;
  // The per-workgroup values every variant starts from (lets of the entry; helpers read them via `Block`).
  const header = (rowLets: readonly string[], split: boolean): string[] => [
    `let nq = ${size(query.shape[2]!)};`,
    `let nk = ${size(key.shape[2]!)};`,
    ...(split
      ? ['let q_i = i32(workgroup_index) % nq;', 'let bh = i32(workgroup_index) / nq;']
      : [
          `let query_blocks = (nq + ${queryBlock - 1}) / ${queryBlock};`,
          'let block_q = i32(workgroup_index) % query_blocks;',
          'let bh = i32(workgroup_index) / query_blocks;',
        ]),
    `if (bh >= ${batchHeads}) {`,
    '  return;',
    '}',
    `let h_i = bh % ${heads};`,
    `let b_i = bh / ${heads};`,
    ...rowLets,
    ...(split
      ? []
      : [
          `let block_q0 = block_q * ${queryBlock};`,
          `let block_q1 = min(block_q0 + ${queryBlock}, nq) - 1;`,
          `let key_tiles = (nk + ${keyBlock - 1}) / ${keyBlock};`,
        ]),
  ];
  // The fields of `Block`: the header's lets that helpers may read.
  const fieldNames = [
    'nq',
    'nk',
    'bh',
    'b_i',
    'h_i',
    'kv_head_i',
    'value_head_i',
    'kv_row',
    'value_row',
    'kv_batch',
  ];
  const fields: BlockField[] = [
    ...fieldNames.map((name) => ({ name, type: 'i32' })),
    ...Array.from({ length: attrs.kvHeads }, (_, j) => ({ name: `kv_weight_${j}`, type: 'f32' })),
    { name: 'q_i', type: 'i32' },
    { name: 'block_q0', type: 'i32' },
    { name: 'block_q1', type: 'i32' },
  ];
  const declared = (lines: readonly string[]) =>
    fields.filter((field) => lines.some((line) => line.startsWith(`let ${field.name} = `)));
  const rowFunctions = new KernelFunctions([]);
  const rows = rowCode(context, attrs, node, rowFunctions);
  const distance = l1DistanceCode(attrs);

  if (strategy.kind === 'splitKeys') {
    const prologue = header(rows.header, true);
    const functions = new KernelFunctions(declared(prologue), rowFunctions);
    const split = splitKeysKernel({
      context,
      attrs,
      query,
      key,
      writes,
      rows,
      score,
      mask,
      blockRule,
      render,
      splits: strategy.splits,
      functions,
    });
    return buildKernel(context, functions, prologue, split.body, {
      workgroupSize: split.workgroupSize,
      workgroupCount: split.workgroupCount,
    });
  }

  // Plain softmax may compute several query rows per invocation (see `blockedSoftmaxCode`).
  const rowsPerInvocation =
    attrs.normalizerDef.plainSoftmax?.(attrs.normalizer) === true &&
    writes.output !== undefined &&
    // Each row marks the probes it is in one bit of a u32 (see `blockedSoftmaxCode`).
    (writes.probeRows === undefined || attrs.probeRows!.length <= 32) &&
    distance.declare.length === 0 &&
    queryBlock % blockedRows === 0
      ? blockedRows
      : 1;
  const invocations = queryBlock / rowsPerInvocation;
  const prologue = header(rows.header, false);
  const functions = new KernelFunctions(declared(prologue), rowFunctions);
  // K rows are staged as vec4s (zero-padded past the head dim) so that each score is
  // `keyVectors` dot products with the query row's vec4s, all at constant indices.
  const keyVectors = Math.ceil(headDim / 4);
  // V rows likewise: `accumulate_value_tile` reads them a vec4 at a time.
  const valueVectors = Math.ceil(valueDim / 4);
  const keyArray = `array<vec4<f32>, ${keyVectors}>`;
  const half = context.half;
  context.workgroupArray('key_tile', half.half4, keyBlock * keyVectors);
  context.workgroupArray('value_tile', half.half4, keyBlock * valueVectors);
  // The f16 tier holds the query row in f16 scaled by a power of two near 1/√d (exact in f16): the
  // scaled row, and a QKᵀ partial sum of it in f16, stay far inside the f16 range (a QKᵀ accumulated
  // in f16 without it overflows once |q·k| > 65504). Dots accumulate in f32; the raw score is
  // scaled back there, so every score mod sees the same value.
  const queryScale = half.precision === 'f32' ? 1 : queryPrescale(headDim);
  if (blockRule !== undefined) context.workgroupArray('tile_class', 'u32', 1);
  if (listed) context.workgroupArray('tile_list', 'u32', Math.ceil(maxKeys / keyBlock));

  const tiles = tileFunctions({
    functions,
    rows,
    blockRule,
    keyBlock,
    keyVectors,
    valueVectors,
    headDim,
    valueDim,
    invocations,
    listed,
    half,
  });
  const loadQueryRow = functions.define({
    name: 'load_query_row',
    comment: 'Query row q_i, prepared (QK norm, RoPE) and packed as vec4s (zero past the head dim).',
    params: [['q_i', 'i32']],
    returns: keyArray,
    body: [
      `let query_flat = ${rowOffset(context, query, 'b_i', 'h_i', 'q_i', `(bh * nq + q_i) * ${headDim}`)};`,
      `var row: array<f32, ${headDim}>;`,
      ...rows.fillRow(
        'query',
        (index) => context.load(query, `query_flat + ${index}`),
        'q_i + nk - nq',
        (d) => `row[${d}]`,
      ),
      `return ${keyArray}(`,
      ...Array.from({ length: keyVectors }, (_, vector) => {
        const lanes = `vec4<f32>(${Array.from({ length: 4 }, (_, lane) => (4 * vector + lane < headDim ? `row[${4 * vector + lane}]` : '0.0')).join(', ')})`;
        return `  ${queryScale === 1 ? lanes : half.widen4(half.toHalf4(`${literalOf(queryScale)} * ${lanes}`))},`;
      }),
      ');',
    ],
  });
  functions.add(SCORE_STRUCT);
  const scoreKey = functions.define({
    name: 'score_key',
    comment:
      'The score of query q_i (vec4s `query`) against key key_i (vec4s `key`), and whether the mask keeps\n' +
      'the pair (tile_kind 1: a partial tile, where the mask runs; 2: every pair of the tile is kept).',
    params: [
      ['q_i', 'i32'],
      ['query', keyArray],
      ['key_i', 'i32'],
      ['key', keyArray],
      ['tile_kind', 'u32'],
      ['tile_k0', 'i32'],
      ['tile_k1', 'i32'],
    ],
    returns: 'Score',
    body: [
      ...(mask === undefined
        ? []
        : [
            // The predicate runs first so that masked keys cost no dot product.
            'if (tile_kind == 1u) {',
            ...indent(mask.lines, 1),
            `  if (!(${mask.values[0]})) {`,
            '    return Score(0.0, false);',
            '  }',
            '}',
          ]),
      ...distance.declare,
      ...Array.from({ length: headDim }, (_, d) =>
        distance.accumulate(`query[${d >> 2}][${d & 3}]`, `key[${d >> 2}][${d & 3}]`),
      ).flat(),
      ...constantNotes(score.lines.concat(score.values), headDim),
      ...wrapSum(
        queryScale === 1 ? 'let raw = ' : 'let scaled_raw = ',
        Array.from({ length: keyVectors }, (_, vector) => `dot(query[${vector}], key[${vector}])`),
      ),
      ...(queryScale === 1 ? [] : [`let raw = scaled_raw * ${literalOf(1 / queryScale)};`]),
      ...score.lines,
      `return Score(${score.values[0]}, true);`,
    ],
  });
  const listTiles = listed ? [`let listed_tiles = ${tiles.listTiles()};`] : [];
  const workgroupCount = (dims: DimBindings) =>
    resolveDim(query.shape[0]!, dims) *
    attrs.heads *
    Math.ceil(resolveDim(query.shape[2]!, dims) / queryBlock);
  // The loop over key tiles: each staged in workgroup memory, then `body`.
  // (The one-row kernel scores nothing in a skipped tile: no `continue` needed.)
  // (A listed kernel walks tile_list, `listed_tiles` entries counted once before the first pass:
  // written before list_tiles' barrier and never again, each entry is a plain read, no barrier, and
  // never empty, so nothing is skipped.)
  const keyPass = (
    withValues: boolean,
    body: readonly string[],
    skip = true,
    prelude: string[] = [],
  ): string[] => [
    ...(listed
      ? ['for (var listed = 0u; listed < listed_tiles; listed++) {', '  let entry = tile_list[listed];']
      : ['for (var tile_index = 0; tile_index < key_tiles; tile_index++) {']),
    ...indent(prelude, 1),
    `  let tile = ${withValues ? tiles.loadTile() : tiles.loadKeyTile()};`,
    ...(blockRule === undefined || !skip || listed
      ? []
      : ['  if (tile.kind == 0u) {', '    continue;', '  }']),
    ...indent(body, 1),
    '}',
  ];

  // Readouts (softmax only): a sink (one-row kernel only) makes l_run differ from the keys' sum.
  const readouts = onlineReadouts(
    context,
    attrs,
    writes,
    attrs.normalizerDef.logSumExp === true,
    rowsPerInvocation === 1 && attrs.normalizerDef.plainSoftmax?.(attrs.normalizer) !== true,
  );
  if (rowsPerInvocation > 1) {
    const blocked = blockedSoftmaxCode({
      readouts,
      widen4: (value) => half.widen4(value),
      functions,
      rows: rowsPerInvocation,
      invocations,
      keyBlock,
      keyVectors,
      valueVectors,
      valueDim,
      loadQueryRow,
      scoreKey,
      stagedKey: tiles.stagedKey,
      store: (flat, value) => context.store(writes.output!, flat, value),
      outputRow: (row) =>
        rowOffset(context, writes.output!, 'b_i', 'h_i', row, `(bh * nq + ${row}) * ${valueDim}`),
      // Plain softmax has no sink: the running max m is the largest kept score wherever l > 0.
      rowStatistics: [
        ...(writes.logSumExp === undefined
          ? []
          : [
              context.store(
                writes.logSumExp,
                'bh * nq + row',
                useInfinity(context, 'select(-weft_inf(), m + log(l), l > 0.0)'),
              ),
            ]),
        ...(writes.rowMax === undefined
          ? []
          : [
              context.store(
                writes.rowMax,
                'bh * nq + row',
                useInfinity(context, 'select(-weft_inf(), m, l > 0.0)'),
              ),
            ]),
      ],
    });
    const body = [
      ...listTiles,
      'let first_row = block_q0 + i32(local_index);',
      `${blocked.start};`,
      ...keyPass(true, [`${blocked.scoreTile};`, `${blocked.softmaxStep};`]),
      `${blocked.store};`,
    ];
    return buildKernel(context, functions, prologue, body, {
      workgroupSize: [invocations, 1, 1],
      workgroupCount,
    });
  }

  const scoreTile = functions.define({
    name: 'score_tile',
    comment:
      'Scores query q_i against every key of the staged tile: `scores[j]`, and the bitmask of kept keys.',
    params: [
      ['q_i', 'i32'],
      ['query', keyArray],
      ['tile', 'Tile'],
      ['scores', `ptr<function, array<f32, ${keyBlock}>>`],
    ],
    returns: 'u32',
    body: [
      ...(blockRule === undefined || listed ? [] : ['if (tile.kind == 0u) {', '  return 0u;', '}']),
      'var kept = 0u;',
      'for (var j = 0; j < tile.keys; j++) {',
      `  let score = ${scoreKey({ key_i: 'tile.k0 + j', key: `${tiles.stagedKey}(j)`, ...TILE_ARGS })};`,
      '  if (score.kept) {',
      '    (*scores)[j] = score.value;',
      '    kept |= 1u << u32(j);',
      '  }',
      '}',
      'return kept;',
    ],
  });
  const rowReadouts = readouts?.accumulates === true ? readouts.rowHelpers(functions) : undefined;
  const normalizer = normalizerCode(attrs.normalizerDef, attrs.normalizer, {
    render,
    keyBlock,
    valueDim,
    functions,
    logSumExp: writes.logSumExp !== undefined || readouts !== undefined,
    software: profile.software === true,
    widen4: (value) => half.widen4(value),
    ...(rowReadouts === undefined
      ? {}
      : { readouts: { rescale: rowReadouts.rescale, key: rowReadouts.key } }),
  });
  const probing =
    readouts === undefined || readouts.probes === 0 ? undefined : probeHelpers(functions, readouts);
  // A probing row stores its kept keys' raw scores during the pass (see `onlineReadouts`).
  const probeTile =
    probing === undefined
      ? undefined
      : functions.define({
          name: 'store_probe_tile',
          comment: 'Stores the raw scores of the kept keys of the tile in the probe rows of `bits`.',
          params: [
            ['bits', 'u32'],
            ['tile', 'Tile'],
            ['kept', 'u32'],
            ['scores', `ptr<function, array<f32, ${keyBlock}>>`],
          ],
          body: [
            'for (var j = 0; j < tile.keys; j++) {',
            '  if (((kept >> u32(j)) & 1u) != 0u) {',
            `    ${probing.score({ bits: 'bits', key_i: 'tile.k0 + j', score: '(*scores)[j]' })};`,
            '  }',
            '}',
          ],
        });
  const probeScores =
    probeTile === undefined
      ? []
      : ['if (probe_bits != 0u) {', `  ${probeTile({ bits: 'probe_bits', scores: '&scores' })};`, '}'];
  const tileBody = (body: readonly string[]) => [`let kept = ${scoreTile({ scores: '&scores' })};`, ...body];
  // A pass that reads V only for some keys (Top-θ) stages a V tile only when a row of the
  // workgroup needs it: each row votes after scoring, the vote is reset before the next tile's barrier.
  const votes = normalizer.passes.some((pass) => pass.withValues && pass.valuesWhen !== undefined);
  if (votes) context.workgroupArray('value_vote', 'atomic<u32>', 1);
  const normalizerPass = (pass: KeyPass, body: readonly string[]): string[] =>
    pass.withValues && pass.valuesWhen !== undefined
      ? keyPass(
          false,
          [
            `let kept = ${scoreTile({ scores: '&scores' })};`,
            'var needs_values = false;',
            ...eachKeptKey([`if (${pass.valuesWhen}) {`, '  needs_values = true;', '}']),
            'if (needs_values) {',
            '  atomicOr(&value_vote[0], 1u);',
            '}',
            'if (workgroupUniformLoad(&value_vote[0]) != 0u) {',
            `  ${tiles.stageValueTile()};`,
            '  workgroupBarrier();',
            '}',
            ...body,
          ],
          false,
          ['if (local_index == 0u) {', '  atomicStore(&value_vote[0], 0u);', '}'],
        )
      : keyPass(pass.withValues, tileBody(body), false);
  const outputStore =
    writes.output === undefined
      ? []
      : [
          `let out_flat = ${rowOffset(context, writes.output, 'b_i', 'h_i', 'row', `(bh * nq + row) * ${valueDim}`)};`,
          ...normalizer.finish,
          `for (var d = 0; d < ${valueDim}; d++) {`,
          `  ${context.store(writes.output, 'out_flat + d', `acc[d] * ${normalizer.outputScale}`)}`,
          '}',
        ];
  const rowStatistics = [
    ...(writes.rowMax === undefined
      ? []
      : [
          context.store(
            writes.rowMax,
            'bh * nq + row',
            useInfinity(context, 'select(-weft_inf(), score_max, any_kept)'),
          ),
        ]),
    ...(writes.logSumExp === undefined
      ? []
      : normalizer.logSumExp === undefined
        ? unsupported(attrs)
        : [context.store(writes.logSumExp, 'bh * nq + row', useInfinity(context, normalizer.logSumExp))]),
    ...(rowReadouts?.stores ?? []),
    ...(probing === undefined
      ? []
      : [
          'if (probe_bits != 0u) {',
          `  ${probing.finish({ bits: 'probe_bits', probe_lse: useInfinity(context, normalizer.logSumExp!) })};`,
          '}',
        ]),
  ];
  const body = [
    ...listTiles,
    'let row = block_q0 + i32(local_index);',
    '// Rows past the end compute on the last row (loads in bounds, barriers uniform) and store nothing.',
    'let q_i = min(row, nq - 1);',
    `let query = ${loadQueryRow()};`,
    `var acc: array<f32, ${valueDim}>;`,
    `var scores: array<f32, ${keyBlock}>;`,
    ...normalizer.setup,
    ...(writes.rowMax !== undefined ? [`var score_max = ${LOWEST_F32};`, 'var any_kept = false;'] : []),
    ...(rowReadouts === undefined
      ? []
      : ['var row_readouts: RowReadouts;', ...rowReadouts.start, 'let own_key = q_i + nk - nq;']),
    ...(probing === undefined ? [] : [`let probe_bits = ${probing.start({ row: 'row', q_i: 'q_i' })};`]),
    ...normalizer.passes.flatMap((pass, index) => [
      ...pass.before,
      // A pass may run inside a loop its `before` opens (α-entmax's bisection).
      ...indent(
        normalizerPass(pass, [
          ...(index === 0 && writes.rowMax !== undefined ? ROW_MAX : []),
          ...(index === 0 ? probeScores : []),
          ...pass.tile,
        ]),
        openBraces(pass.before),
      ),
      ...pass.after,
    ]),
    'if (row < nq) {',
    ...indent([...outputStore, ...rowStatistics], 1),
    '}',
  ];
  if (writes.output !== undefined && normalizer.finish.length === 0) {
    // The plain store, as a helper: the entry ends with its call (and the row statistics' stores).
    const storeRow = functions.define({
      name: 'store_output_row',
      comment: 'Stores query row `row` (when in range): its accumulator times `scale`.',
      params: [
        ['row', 'i32'],
        ['acc', `ptr<function, array<f32, ${valueDim}>>`],
        ['scale', 'f32'],
      ],
      body: [
        'if (row >= nq) {',
        '  return;',
        '}',
        `let out_flat = ${rowOffset(context, writes.output, 'b_i', 'h_i', 'row', `(bh * nq + row) * ${valueDim}`)};`,
        `for (var d = 0; d < ${valueDim}; d++) {`,
        `  ${context.store(writes.output, 'out_flat + d', '(*acc)[d] * scale')}`,
        '}',
      ],
    });
    body.splice(
      body.lastIndexOf('if (row < nq) {'),
      Number.POSITIVE_INFINITY,
      `${storeRow({ acc: '&acc', scale: normalizer.outputScale })};`,
      ...(rowStatistics.length === 0 ? [] : ['if (row < nq) {', ...indent(rowStatistics, 1), '}']),
    );
  }
  return buildKernel(context, functions, prologue, body, {
    workgroupSize: [queryBlock, 1, 1],
    workgroupCount,
  });
}

/**
 * Assembles the module: the helpers the body calls (`accumulate_value_tile` where a normalizer
 * uses it), the entry's header lets it reads, and the `Block` value the helpers read.
 */
function buildKernel(
  context: KernelContext,
  functions: KernelFunctions,
  prologue: readonly string[],
  body: readonly string[],
  entry: { workgroupSize: [number, number, number]; workgroupCount: (dims: DimBindings) => number },
): GeneratedKernel {
  if (
    functions.calls('accumulate_value_tile') ||
    body.some((line) => line.includes('accumulate_value_tile('))
  ) {
    const valueDim = decodeAttentionNode(context.kernel.anchor).valueDim;
    functions.add(accumulateValueTileFunction(valueDim, (value) => context.half.widen4(value)));
  }
  const { functions: declarations, blockValue } = functions.declarations();
  const lines = dropUnusedLets([...prologue, ...blockValue, ...body]).flatMap((line) => wrapLine(line, 116));
  const constants = [...declarations, ...lines].some((text) => mentions(text, LOWEST_F32))
    ? [
        `// The most negative finite f32: a running max before any key (no reliance on infinities).\nconst ${LOWEST_F32} = -3.4028234e38;`,
      ]
    : [];
  const generated = context.build(ATTENTION_OP, {
    workgroupSize: entry.workgroupSize,
    workgroupCount: entry.workgroupCount,
    functions: [...constants, ...declarations],
    body: lines,
  });
  return { ...generated, wgsl: withSectionComments(generated.wgsl) };
}

/**
 * Heads the module's sections with a comment, in their fixed order: params, bindings, workgroup
 * memory, helpers (constants, per-invocation state, structs and functions), entry point.
 */
function withSectionComments(wgsl: string): string {
  const lines = wgsl.split('\n');
  const sections: [(line: string) => boolean, string][] = [
    [(line) => line.startsWith('struct Params {'), '// ---- params: run-time lengths (uniform) ----'],
    [(line) => line.startsWith('@group('), '// ---- bindings ----'],
    [(line) => line.startsWith('var<workgroup>'), '// ---- workgroup memory ----'],
    [
      (line) => /^(?:\/\/ |const |var<private>|struct |fn )/.test(line) && !line.startsWith('fn main('),
      '// ---- helpers ----',
    ],
    [(line) => line.startsWith('@compute'), '// ---- entry point ----'],
  ];
  const header = lines.indexOf('');
  const out = lines.slice(0, header);
  let next = 0;
  for (const [index, line] of lines.entries()) {
    if (index < header) continue;
    const section = sections.findIndex(([starts], position) => position >= next && starts(line));
    if (section >= 0 && (index === 0 || lines[index - 1] === '')) {
      out.push(sections[section]![1]);
      next = section + 1;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Arguments of `score_key` from the current `tile`. */
const TILE_ARGS = { tile_kind: 'tile.kind', tile_k0: 'tile.k0', tile_k1: 'tile.k1' };

/** Tracks the max of the kept scores of a tile (the `rowMax` output). */
const ROW_MAX = [
  'for (var j = 0; j < tile.keys; j++) {',
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
  const attrs = decodeAttentionNode(node);
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

/** How many more braces `lines` open than close. */
function openBraces(lines: readonly string[]): number {
  const text = lines.join('\n');
  return Math.max(0, (text.match(/\{/g)?.length ?? 0) - (text.match(/\}/g)?.length ?? 0));
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

/**
 * The power of two nearest 1/√headDim: the f16 tier's query pre-scale. A power of two scales an
 * f16 value exactly (short of the subnormals), so pre-scaling adds no rounding.
 */
export function queryPrescale(headDim: number): number {
  return 2 ** Math.round(-0.5 * Math.log2(headDim));
}

/** WGSL f32 literal of a power of two. */
function literalOf(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
