import { type KeyPass, normalizerCode } from './normalizer-code.js';
import { eachKeptKey, LOWEST_F32 } from './online-tile-code.js';
import { probeHelpers } from './readout-code.js';
import { rowEpilogue, withOutputRowHelper } from './row-epilogue-code.js';
import { type KeyPassCode, keyPassCode, type TiledKernelParts } from './tiled-kernel-parts.js';
import { indent } from './wgsl-functions.js';

/**
 * The entry body of the tiled kernel with one query row per invocation: the row's query and
 * accumulator in registers, each of the normalizer's passes a loop over the key tiles (scores of
 * the staged tile, then the pass's fold), and the row's stores (see `rowEpilogue`).
 */
export function oneRowBody(parts: TiledKernelParts): string[] {
  const { context, attrs, writes, functions, tiles, blockRule, listed, keyBlock, valueDim } = parts;
  const { readouts } = parts;
  const keyPass = keyPassCode(parts);
  const scoreTile = functions.define({
    name: 'score_tile',
    comment:
      'Scores query q_i against every key of the staged tile: `scores[j]`, and the bitmask of kept keys.',
    params: [
      ['q_i', 'i32'],
      ['query', parts.queryScore.keyArray],
      ['tile', 'Tile'],
      ['scores', `ptr<function, array<f32, ${keyBlock}>>`],
    ],
    returns: 'u32',
    body: [
      ...(blockRule === undefined || listed ? [] : ['if (tile.kind == 0u) {', '  return 0u;', '}']),
      'var kept = 0u;',
      'for (var j = 0; j < tile.keys; j++) {',
      `  let score = ${parts.queryScore.scoreKey({ key_i: 'tile.k0 + j', key: `${tiles.stagedKey}(j)`, ...TILE_ARGS })};`,
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
    render: parts.render,
    keyBlock,
    valueDim,
    functions,
    logSumExp: writes.logSumExp !== undefined || readouts !== undefined,
    software: parts.profile.software === true,
    widen4: (value) => context.half.widen4(value),
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
  const normalizerPass = passCode(parts, keyPass, scoreTile({ scores: '&scores' }), normalizer.passes);
  const epilogueParts = { context, attrs, writes, normalizer, rowReadouts, probing, valueDim, functions };
  const epilogue = rowEpilogue(epilogueParts);
  const body = [
    ...parts.listTiles,
    'let row = block_q0 + i32(local_index);',
    '// Rows past the end compute on the last row (loads in bounds, barriers uniform) and store nothing.',
    'let q_i = min(row, nq - 1);',
    `let query = ${parts.queryScore.loadQueryRow()};`,
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
    ...indent([...epilogue.outputStore, ...epilogue.rowStatistics], 1),
    '}',
  ];
  withOutputRowHelper(epilogueParts, epilogue, body);
  return body;
}

/**
 * The loop of one normalizer pass over the key tiles: the tile's scores (`scoreTile`, the call of
 * `score_tile`), then `body`. A pass that reads V only for some keys (Top-θ) stages a V tile only
 * when a row of the workgroup needs it: each row votes after scoring, the vote is reset before the
 * next tile's barrier.
 */
function passCode(
  parts: TiledKernelParts,
  keyPass: KeyPassCode,
  scoreTile: string,
  passes: readonly KeyPass[],
): (pass: KeyPass, body: readonly string[]) => string[] {
  const votes = passes.some((pass) => pass.withValues && pass.valuesWhen !== undefined);
  if (votes) parts.context.workgroupArray('value_vote', 'atomic<u32>', 1);
  return (pass, body) =>
    pass.withValues && pass.valuesWhen !== undefined
      ? keyPass(
          false,
          [
            `let kept = ${scoreTile};`,
            'var needs_values = false;',
            ...eachKeptKey([`if (${pass.valuesWhen}) {`, '  needs_values = true;', '}']),
            'if (needs_values) {',
            '  atomicOr(&value_vote[0], 1u);',
            '}',
            'if (workgroupUniformLoad(&value_vote[0]) != 0u) {',
            `  ${parts.tiles.stageValueTile()};`,
            '  workgroupBarrier();',
            '}',
            ...body,
          ],
          false,
          ['if (local_index == 0u) {', '  atomicStore(&value_vote[0], 0u);', '}'],
        )
      : keyPass(pass.withValues, [`let kept = ${scoreTile};`, ...body], false);
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

/** How many more braces `lines` open than close. */
function openBraces(lines: readonly string[]): number {
  const text = lines.join('\n');
  return Math.max(0, (text.match(/\{/g)?.length ?? 0) - (text.match(/\}/g)?.length ?? 0));
}
