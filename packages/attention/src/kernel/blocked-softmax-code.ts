import { LOWEST_F32 } from './online-tile-code.js';
import { type OnlineReadouts, probeHelpers } from './readout-code.js';
import type { StagedRowReads } from './staged-row-reads.js';
import type { KernelFunctions } from './wgsl-functions.js';

/**
 * Keys folded at once: their scores stay in registers and the rows' running max moves once per
 * group. (SwiftShader, MHA H=4 N=128 d=32, kernel CPU time: scores of a 32-key tile in a private
 * array 7.2 ms, groups of 4 in registers 5.2 ms; groups of 2 as fast as 4 with a shader that
 * compiles 1.4–1.7× faster (fewer values live at once), groups of 8 1.2–1.3× slower.)
 */
const KEY_GROUP = 2;

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
  /** The call of the helper returning key row `j` of the tile (key index `keyI`) as vec4s. */
  stagedKeyCall(j: string, keyI: string): string;
  /** The reads of value row `j` of the tile (key index `keyI`) as vec4s. */
  valueRowReads(j: string, keyI: string): StagedRowReads;
  /**
   * The subgroup size when the workgroup's lanes read each staged K and V row together (see
   * `stagedRowReads`): the workgroup is one subgroup of exactly this size. Absent: each invocation
   * reads whole rows.
   */
  readonly sharedReadLanes?: number | undefined;
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
  /** Scores the staged tile (`tile` in scope) and folds it into every row's running state. */
  readonly foldTile: string;
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
    '// and vec4s, running max and sum, output accumulator (vec4s).',
    ...(readsQueryIndex ? [`var<private> query_index: array<i32, ${count}>;`] : []),
    `var<private> query_vectors: array<array<vec4<f32>, ${keyVectors}>, ${count}>;`,
    `var<private> m_run: array<f32, ${count}>;`,
    `var<private> l_run: array<f32, ${count}>;`,
    `var<private> acc: array<array<vec4<f32>, ${valueVectors}>, ${count}>;`,
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
  // With `sharedReadLanes` the subgroup reads each staged row together (see `stagedRowReads`).
  const lanes = context.sharedReadLanes;
  const laneParam: [string, string][] = lanes === undefined ? [] : [['lane', 'u32']];
  const valueRead = context.valueRowReads('j', 'key_i');
  const accumulate = functions.define({
    name: 'accumulate_value_rows',
    comment: 'acc[r] += p[r] · value row j of the staged tile, for every row: one read of each value vec4.',
    params: [['j', 'i32'], ['key_i', 'i32'], ['p', `array<f32, ${count}>`], ...laneParam],
    body: [
      ...valueRead.lines,
      ...Array.from({ length: valueVectors }, (_, vector) => [
        `let value_${vector} = ${valueRead.vector(vector)};`,
        ...rows.map((row) => `acc[${row}][${vector}] += p[${row}] * value_${vector};`),
      ]).flat(),
    ],
  });
  const group = Math.min(KEY_GROUP, keyBlock);
  const keys = Array.from({ length: group }, (_, key) => key);
  const keyOf = (key: number) => (key === 0 ? 'j0' : `j0 + ${key}`);
  const score = (row: number, key: number) => `score_${row}_${key}.value`;
  const kept = (row: number, key: number) => `kept_${row}_${key}`;
  const foldKeys = functions.define({
    name: 'fold_keys',
    comment:
      `Folds keys j0 … j0 + ${group - 1} of the scored tile into every row: scores in registers, each row's running\n` +
      'max rises to theirs (rescaling its sum and accumulator by exp(old − new)), then each kept key\n' +
      'adds exp(s − max) and its weighted value row. Keys past the tile are not kept.',
    params: [['tile', 'Tile'], ['j0', 'i32'], ...laneParam],
    body: [
      // Each key row is scored for every row as soon as it is read (fewer vec4s live at once).
      ...keys.flatMap((key) => [
        `let key_i_${key} = tile.k0 + ${keyOf(key)};`,
        `let key_${key} = ${context.stagedKeyCall(keyOf(key), `key_i_${key}`)};`,
        ...rows.flatMap((row) => [
          `let score_${row}_${key} = ${context.scoreKey({
            q_i: `query_index[${row}]`,
            query: `query_vectors[${row}]`,
            key_i: `key_i_${key}`,
            key: `key_${key}`,
            tile_kind: 'tile.kind',
            tile_k0: 'tile.k0',
            tile_k1: 'tile.k1',
          })};`,
          // `&` rather than `&&`: no short-circuit branch (dozens of them slow the shader compiler down ~7×).
          `let ${kept(row, key)} = score_${row}_${key}.kept${key === 0 ? '' : ` & (${keyOf(key)} < tile.keys)`};`,
          ...(probing === undefined
            ? []
            : [
                `if (${kept(row, key)} & (probe_bits[${row}] != 0u)) {`,
                `  ${probing.score({ bits: `probe_bits[${row}]`, key_i: `key_i_${key}`, score: score(row, key) })};`,
                '}',
              ]),
        ]),
      ]),
      ...rows.flatMap((row) => [
        `let next_${row} = ${keys.reduce(
          (text, key) => `max(${text}, select(${LOWEST_F32}, ${score(row, key)}, ${kept(row, key)}))`,
          `m_run[${row}]`,
        )};`,
        `let correction_${row} = exp(m_run[${row}] - next_${row});`,
        ...(readouts?.rescale(
          at(row),
          `correction_${row}`,
          `m_run[${row}]`,
          `next_${row}`,
          `l_run[${row}]`,
        ) ?? []),
        `l_run[${row}] *= correction_${row};`,
        `m_run[${row}] = next_${row};`,
        ...Array.from(
          { length: valueVectors },
          (_, vector) => `acc[${row}][${vector}] *= correction_${row};`,
        ),
      ]),
      ...keys.flatMap((key) => [
        ...(readouts === undefined ? [] : readouts.segmentStep(`key_i_${key}`, rows.map(at))),
        // A row that masks the key adds nothing (its score may be a placeholder: select, not exp).
        ...rows.flatMap((row) => [
          `let p_${row}_${key} = select(0.0, exp(${score(row, key)} - m_run[${row}]), ${kept(row, key)});`,
          `l_run[${row}] += p_${row}_${key};`,
          ...(readouts?.key(
            at(row),
            `p_${row}_${key}`,
            `(${score(row, key)} - m_run[${row}])`,
            kept(row, key),
            `key_i_${key}`,
            `query_index[${row}] + nk - nq`,
          ) ?? []),
        ]),
        `${accumulate({ j: keyOf(key), key_i: `key_i_${key}`, p: `array<f32, ${count}>(${rows.map((row) => `p_${row}_${key}`).join(', ')})` })};`,
      ]),
    ],
  });
  const foldTile = functions.define({
    name: 'fold_tile',
    comment: `Folds the staged tile into every row, ${group} keys at a time.`,
    params: [['tile', 'Tile'], ...laneParam],
    body: [`for (var j0 = 0; j0 < tile.keys; j0 += ${group}) {`, `  ${foldKeys()};`, '}'],
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
  return { start: start(), foldTile: foldTile({ lane: 'subgroup_lane' }), store: store() };
}
