import { LOWEST_F32 } from './online-tile-code.js';
import { type OnlineReadouts, probeHelpers } from './readout-code.js';
import type { KernelFunctions } from './wgsl-functions.js';

/** What {@link blockedSoftmaxCode} needs from the template. */
export interface BlockedSoftmaxContext {
  readonly functions: KernelFunctions;
  /** Query rows each invocation computes. */
  readonly rows: number;
  /** Invocations per workgroup: row r of an invocation is `first_row + r · invocations`. */
  readonly invocations: number;
  readonly keyBlock: number;
  /** vec4s per staged key row. */
  readonly keyVectors: number;
  /** vec4s per staged value row. */
  readonly valueVectors: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** Call of `load_query_row` (argument `q_i`). */
  loadQueryRow(args: Readonly<Record<string, string>>): string;
  /** Call of `score_key` (arguments `q_i`, `query`, `key_i`, `key`, `tile_kind`). */
  scoreKey(args: Readonly<Record<string, string>>): string;
  /** Name of the helper returning staged key row j. */
  readonly stagedKey: string;
  /** WGSL statement storing `value` at element `flat` of the output. */
  store(flat: string, value: string): string;
  /** WGSL i32 text of the flat offset of output row `row` (element `d` lies at it plus `d`). */
  outputRow(row: string): string;
  /**
   * WGSL statements storing the row statistics the kernel also writes (log-sum-exp, row max) of
   * query row `row` in range, from its running max `m` and sum `l`; empty when it writes none.
   */
  readonly rowStatistics: readonly string[];
  /** The readouts folded into the pass, if the kernel writes any. */
  readonly readouts?: OnlineReadouts | undefined;
  /** Widens a staged value vec4 to f32 (the f16 tier's `widen4`; identity at f32). */
  widen4(value: string): string;
}

/** Calls of the blocked softmax helpers, in the order the entry point makes them. */
export interface BlockedSoftmaxCode {
  /** Loads the invocation's query rows and starts their running state (`first_row` in scope). */
  readonly start: string;
  /** Scores the staged tile (`tile` in scope) for every row. */
  readonly scoreTile: string;
  /** Folds the scored tile into every row's running state. */
  readonly softmaxStep: string;
  /** Stores every row in range. */
  readonly store: string;
}

/**
 * Softmax attention with `rows` query rows per invocation (register blocking): every K and V vec4
 * read from workgroup memory serves all of them (on SwiftShader each such read is a per-lane
 * gather; see `SOFTWARE_ROWS_PER_INVOCATION` for the measured gain). The rows' state lives in
 * module-scope `var<private>` arrays, always indexed by constant row numbers (the helpers unroll
 * over rows) so that it stays in registers.
 */
export function blockedSoftmaxCode(context: BlockedSoftmaxContext): BlockedSoftmaxCode {
  const { functions, keyBlock, keyVectors, valueVectors, valueDim } = context;
  const count = context.rows;
  const rows = Array.from({ length: count }, (_, row) => row);
  const statistics = context.rowStatistics.length > 0;
  const rowOf = (row: number) => (row === 0 ? 'first_row' : `first_row + ${row * context.invocations}`);
  const readouts = context.readouts;
  const probes = Array.from({ length: readouts?.probes ?? 0 }, (_, index) => index);
  const at = (row: number) => (name: string) => `${name}[${row}]`;
  // A query broadcast over its rows, scored without the mask or positions, reads no query index.
  const probe = 'query_index[0]';
  const readsQueryIndex =
    [
      context.loadQueryRow({ q_i: probe }),
      context.scoreKey({
        q_i: probe,
        query: 'query_vectors[0]',
        tile_kind: 'tile.kind',
        tile_k0: 'tile.k0',
        tile_k1: 'tile.k1',
      }),
    ].some((code) => code.includes(probe)) || readouts !== undefined;
  const probing =
    readouts === undefined || probes.length === 0 ? undefined : probeHelpers(functions, readouts);
  functions.state([
    `// Per-invocation state of its ${count} query rows (row r: first_row + ${context.invocations}·r): query index`,
    '// and vec4s, running max and sum, output accumulator (vec4s), and the current tile: scores, max, kept keys.',
    ...(readsQueryIndex ? [`var<private> query_index: array<i32, ${count}>;`] : []),
    `var<private> query_vectors: array<array<vec4<f32>, ${keyVectors}>, ${count}>;`,
    `var<private> m_run: array<f32, ${count}>;`,
    `var<private> l_run: array<f32, ${count}>;`,
    `var<private> acc: array<array<vec4<f32>, ${valueVectors}>, ${count}>;`,
    `var<private> scores: array<array<f32, ${keyBlock}>, ${count}>;`,
    `var<private> tile_max: array<f32, ${count}>;`,
    `var<private> kept: array<u32, ${count}>;`,
    ...(readouts === undefined
      ? []
      : [
          '// Readout sums per row (see `onlineReadouts`), and which probes each row is (bit k: probe k).',
          ...readouts.privates(count),
          ...(probes.length === 0 ? [] : [`var<private> probe_bits: array<u32, ${count}>;`]),
        ]),
  ]);
  const start = functions.define({
    name: 'start_rows',
    comment:
      'Loads the query rows of the invocation. Rows past the end compute on the last row (loads in\n' +
      'bounds, barriers uniform) and store nothing.',
    params: [['first_row', 'i32']],
    body: [
      ...rows.flatMap((row) => [
        ...(readsQueryIndex ? [`query_index[${row}] = min(${rowOf(row)}, nq - 1);`] : []),
        `query_vectors[${row}] = ${context.loadQueryRow({ q_i: `query_index[${row}]` })};`,
      ]),
      ...rows.map((row) => `m_run[${row}] = ${LOWEST_F32};`),
      ...(readouts?.segmentStart() ?? []),
      ...(probing === undefined
        ? []
        : rows.map(
            (row) =>
              `probe_bits[${row}] = ${probing.start({ row: rowOf(row), q_i: `query_index[${row}]` })};`,
          )),
    ],
  });
  const scoreTile = functions.define({
    name: 'score_tile',
    comment:
      "Scores every row against the staged tile: scores, the tile's max (from the running max), kept keys.",
    params: [['tile', 'Tile']],
    body: [
      ...rows.flatMap((row) => [`kept[${row}] = 0u;`, `tile_max[${row}] = m_run[${row}];`]),
      'for (var j = 0; j < tile.keys; j++) {',
      '  let key_i = tile.k0 + j;',
      `  let key = ${context.stagedKey}(j);`,
      '  let bit = 1u << u32(j);',
      ...rows.flatMap((row) => [
        `  let score_${row} = ${context.scoreKey({
          q_i: `query_index[${row}]`,
          query: `query_vectors[${row}]`,
          tile_kind: 'tile.kind',
          tile_k0: 'tile.k0',
          tile_k1: 'tile.k1',
        })};`,
        `  if (score_${row}.kept) {`,
        `    scores[${row}][j] = score_${row}.value;`,
        `    tile_max[${row}] = max(tile_max[${row}], score_${row}.value);`,
        `    kept[${row}] |= bit;`,
        ...(probing === undefined
          ? []
          : [
              `    if (probe_bits[${row}] != 0u) {`,
              `      ${probing.score({ bits: `probe_bits[${row}]`, score: `score_${row}.value` })};`,
              '    }',
            ]),
        '  }',
      ]),
      '}',
    ],
  });
  const accumulate = functions.define({
    name: 'accumulate_value_rows',
    comment: 'acc[r] += p[r] · value row j of the staged tile, for every row: one read of each value vec4.',
    params: [
      ['j', 'i32'],
      ['p', `array<f32, ${count}>`],
    ],
    body: [
      ...(valueVectors === 1 ? [] : [`let value_base = j * ${valueVectors};`]),
      ...Array.from({ length: valueVectors }, (_, vector) => [
        `let value_${vector} = ${context.widen4(`value_tile[${valueVectors === 1 ? 'j' : vector === 0 ? 'value_base' : `value_base + ${vector}`}]`)};`,
        ...rows.map((row) => `acc[${row}][${vector}] += p[${row}] * value_${vector};`),
      ]).flat(),
    ],
  });
  const softmaxStep = functions.define({
    name: 'online_softmax_step',
    comment:
      "Online softmax over the scored tile: each row's running max rises to the tile's, rescaling its sum\n" +
      'and accumulator by exp(old − new), then every kept key adds exp(s − max) and its weighted value row.',
    params: [['tile', 'Tile']],
    body: [
      `let any_kept = ${rows.map((row) => `kept[${row}]`).join(' | ')};`,
      'if (any_kept == 0u) {',
      '  return;',
      '}',
      ...rows.flatMap((row) => [
        `let correction_${row} = exp(m_run[${row}] - tile_max[${row}]);`,
        ...(readouts?.rescale(
          at(row),
          `correction_${row}`,
          `m_run[${row}]`,
          `tile_max[${row}]`,
          `l_run[${row}]`,
        ) ?? []),
        `l_run[${row}] *= correction_${row};`,
        `m_run[${row}] = tile_max[${row}];`,
      ]),
      `for (var v = 0; v < ${valueVectors}; v++) {`,
      ...rows.map((row) => `  acc[${row}][v] *= correction_${row};`),
      '}',
      'for (var j = 0; j < tile.keys; j++) {',
      '  let bit = 1u << u32(j);',
      '  if ((any_kept & bit) == 0u) {',
      '    continue;',
      '  }',
      // A row that masks this key adds nothing (its score slot may be stale, hence select, not exp).
      '  // A row that masks key j adds nothing (its score slot may be stale: select, not exp).',
      ...(readouts === undefined
        ? []
        : readouts.segmentStep('tile.k0 + j', rows.map(at)).map((line) => `  ${line}`)),
      ...rows.flatMap((row) => [
        `  let p_${row} = select(0.0, exp(scores[${row}][j] - m_run[${row}]), (kept[${row}] & bit) != 0u);`,
        `  l_run[${row}] += p_${row};`,
        ...(readouts
          ?.key(
            at(row),
            `p_${row}`,
            `(scores[${row}][j] - m_run[${row}])`,
            `(kept[${row}] & bit) != 0u`,
            'tile.k0 + j',
            `query_index[${row}] + nk - nq`,
          )
          .map((line) => `  ${line}`) ?? []),
      ]),
      `  ${accumulate({ p: `array<f32, ${count}>(${rows.map((row) => `p_${row}`).join(', ')})` })};`,
      '}',
    ],
  });
  const storeRow = functions.define({
    name: 'store_output_row',
    comment: statistics
      ? 'Stores query row `row` (when in range): its accumulator over its sum, and its row statistics.'
      : 'Stores query row `row` (when in range): its accumulator over its sum.',
    params: [
      ['row', 'i32'],
      ['acc_row', `array<vec4<f32>, ${valueVectors}>`],
      ...(statistics ? [['m', 'f32'] as const] : []),
      ['l', 'f32'],
    ],
    body: [
      'if (row >= nq) {',
      '  return;',
      '}',
      `let out_flat = ${context.outputRow('row')};`,
      'let scale = select(0.0, 1.0 / l, l > 0.0);',
      // The accumulator is a copy here: a dynamic index into it reads memory once per dim.
      `var row_values = acc_row;`,
      `for (var d = 0; d < ${valueDim}; d++) {`,
      `  ${context.store('out_flat + d', 'row_values[d / 4][d % 4] * scale')}`,
      '}',
      ...context.rowStatistics,
    ],
  });
  const store = functions.define({
    name: 'store_rows',
    comment: 'Stores the rows of the invocation.',
    params: [['first_row', 'i32']],
    body: rows.flatMap((row) => [
      `${storeRow({ row: rowOf(row), acc_row: `acc[${row}]`, m: `m_run[${row}]`, l: `l_run[${row}]` })};`,
      ...(readouts === undefined
        ? []
        : [
            `if (${rowOf(row)} < nq) {`,
            ...readouts.stores(at(row), rowOf(row), `l_run[${row}]`).map((line) => `  ${line}`),
            ...(probing === undefined
              ? []
              : [
                  `  if (probe_bits[${row}] != 0u) {`,
                  `    ${probing.finish({
                    bits: `probe_bits[${row}]`,
                    probe_lse: `m_run[${row}] + log(l_run[${row}])`,
                  })};`,
                  '  }',
                ]),
            '}',
          ]),
    ]),
  });
  return { start: start(), scoreTile: scoreTile(), softmaxStep: softmaxStep(), store: store() };
}
