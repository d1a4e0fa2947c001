import type { RenderedExprs } from '@weft/wgsl';
import { LOWEST_F32 } from './online-tile-code.js';
import { accumulateValueTileRows } from './value-tile-code.js';

/** What {@link blockedSoftmaxCode} needs from the template. */
export interface BlockedSoftmaxContext {
  /** Query rows each invocation computes. */
  readonly rows: number;
  /** vec4s per staged key row. */
  readonly keyVectors: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** The rendered score (over `raw`, `q_i`, `key_i`, …). */
  readonly score: RenderedExprs;
  /** The rendered mask predicate, if any. */
  readonly mask: RenderedExprs | undefined;
}

/** The WGSL of the softmax kernel with several query rows per invocation. */
export interface BlockedSoftmaxCode {
  /** Per-row state, declared before the key tiles. */
  readonly setup: readonly string[];
  /** The score loop of one key tile (after the tiles are staged). */
  readonly scores: readonly string[];
  /** The online-softmax step of one key tile, after the score loop. */
  readonly tile: readonly string[];
  /** WGSL f32 factor the accumulator of row `row` is multiplied by at the store. */
  outputScale(row: number): string;
}

/**
 * Softmax attention with `rows` query rows per invocation (register blocking): every K and V vec4
 * read from workgroup memory serves all of them (on SwiftShader each such read is a per-lane
 * gather; see `SOFTWARE_ROWS_PER_INVOCATION` for the measured gain). Row `r` of an invocation
 * has its query vec4s in `query_${r}_vec_*` and its index in `q_i_${r}` (both set by the template),
 * and its own running max `m_${r}`, sum `l_${r}`, accumulator `acc_${r}`, scores `scores_${r}`,
 * tile max `tile_max_${r}` and kept-key mask `kept_${r}`. The mask and score are rendered once per
 * row, in a block where `q_i` is that row's index.
 */
export function blockedSoftmaxCode(context: BlockedSoftmaxContext, keyBlock: number): BlockedSoftmaxCode {
  const { keyVectors, valueDim, score, mask } = context;
  const rows = Array.from({ length: context.rows }, (_, row) => row);
  const setup = rows.flatMap((row) => [
    `var acc_${row}: array<f32, ${valueDim}>;`,
    `var scores_${row}: array<f32, ${keyBlock}>;`,
    `var m_${row} = ${LOWEST_F32};`,
    `var l_${row} = 0.0;`,
  ]);
  const rowScore = (row: number): string[] => [
    '{',
    `  let q_i = q_i_${row};`,
    '  var raw = 0.0;',
    ...(mask === undefined
      ? ['  {']
      : [
          '  var keep = true;',
          '  if (tile_kind == 1u) {',
          ...mask.lines.map((line) => `    ${line}`),
          `    keep = ${mask.values[0]};`,
          '  }',
          '  if (keep) {',
        ]),
    `    raw = ${Array.from({ length: keyVectors }, (_, vector) => `dot(query_${row}_vec_${vector}, key_${vector})`).join(' + ')};`,
    ...score.lines.map((line) => `    ${line}`),
    `    let score = ${score.values[0]};`,
    `    scores_${row}[j] = score;`,
    `    tile_max_${row} = max(tile_max_${row}, score);`,
    `    kept_${row} |= 1u << u32(j);`,
    '  }',
    '}',
  ];
  const scores = [
    ...rows.map((row) => `var kept_${row} = 0u;`),
    ...rows.map((row) => `var tile_max_${row} = m_${row};`),
    'for (var j = 0; j < tile_keys; j++) {',
    '  let key_i = tile_k0 + j;',
    `  let key_base = j * ${keyVectors};`,
    ...Array.from(
      { length: keyVectors },
      (_, vector) => `  let key_${vector} = key_tile[key_base + ${vector}];`,
    ),
    ...rows.flatMap(rowScore).map((line) => `  ${line}`),
    '}',
  ];
  const anyKept = rows.map((row) => `kept_${row}`).join(' | ');
  const tile = [
    `if ((${anyKept}) != 0u) {`,
    ...rows.flatMap((row) => [
      `  let correction_${row} = exp(m_${row} - tile_max_${row});`,
      `  l_${row} *= correction_${row};`,
      `  m_${row} = tile_max_${row};`,
    ]),
    `  for (var d = 0; d < ${valueDim}; d++) {`,
    ...rows.map((row) => `    acc_${row}[d] *= correction_${row};`),
    '  }',
    '  for (var j = 0; j < tile_keys; j++) {',
    '    let bit = 1u << u32(j);',
    `    if (((${anyKept}) & bit) == 0u) {`,
    '      continue;',
    '    }',
    // A row that masks this key adds nothing (its score slot may be stale, hence select, not exp).
    ...rows.flatMap((row) => [
      `    let p_${row} = select(0.0, exp(scores_${row}[j] - m_${row}), (kept_${row} & bit) != 0u);`,
      `    l_${row} += p_${row};`,
    ]),
    ...accumulateValueTileRows(
      rows.map((row) => `p_${row}`),
      valueDim,
      rows.map((row) => `acc_${row}`),
    ).map((line) => `    ${line}`),
    '  }',
    '}',
  ];
  return {
    setup,
    scores,
    tile,
    outputScale: (row) => `select(0.0, 1.0 / l_${row}, l_${row} > 0.0)`,
  };
}
