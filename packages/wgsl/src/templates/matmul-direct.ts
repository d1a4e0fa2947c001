import type { Dim } from '@weft/ir';
import { describe } from '../element-composer.js';
import type { EntryPoint } from '../kernel-context.js';
import { layoutLength } from '../layout-length.js';
import type { MatmulParts } from './matmul-parts.js';
import { DIRECT_BLOCK_COLUMNS, MATMUL_BLOCK } from './matmul-strategy.js';
import { BATCH_INDICES, bindBatchIndices, countFor, indent } from './template-support.js';

/** Placeholder where the clamped rows that the rest of the body reads are bound. */
const ROW_INDICES = '// <clamped rows>';

/**
 * The direct matmul: no barriers in the K loop. Each invocation computes one
 * 4×{@link DIRECT_BLOCK_COLUMNS} output block into `vec4<f32>` row parts, reading its four rows of
 * A and its columns of B straight from storage at each step of K: the wider block spreads each A
 * element's prologue (a norm applied while loading) over more outputs. Rows and columns past the
 * matrix edge are clamped to the last one (valid reads, no branches in the K loop); their results
 * are never stored. With row statistics, the invocations of a workgroup share one block row and
 * compute its statistics together in workgroup memory before the K loop (a few barriers, once);
 * prologue outputs of A are stored by the invocations of the first block column.
 */
export function directMatmulBody(
  parts: MatmulParts,
  width: number,
  [mDim, nDim]: readonly [Dim, Dim],
): EntryPoint {
  const { context, a, b, rows: M, columns: N, depth: K, statistics } = parts;
  const lanes = Array.from({ length: MATMUL_BLOCK }, (_, lane) => lane);
  const columnLanes = Array.from({ length: DIRECT_BLOCK_COLUMNS }, (_, lane) => lane);
  const groups = Array.from({ length: DIRECT_BLOCK_COLUMNS / MATMUL_BLOCK }, (_, group) => group);
  const clamped = (name: string, first: string, size: string, count: readonly number[]) =>
    count.map((lane) =>
      lane === 0 ? `let ${name}0 = ${first};` : `let ${name}${lane} = min(${first} + ${lane}, ${size} - 1);`,
    );
  const aRows = parts.aBlock(
    lanes.map((lane) => `row${lane}`),
    'k',
    'a_',
    lanes.map((lane) => statistics.rowVariables(lane)),
  );
  const bColumns = columnLanes.map((lane) => parts.bElement('k', `column${lane}`, `b${lane}_`));
  const accumulator = (row: number, group: number) => `acc${row}${group === 0 ? '' : `_${group}`}`;
  const bRow = (group: number) => `b_row${group === 0 ? '' : `_${group}`}`;
  const prologueStores =
    aRows[0]!.stores.length === 0
      ? []
      : [
          'if (block_n == 0) {',
          ...indent(
            aRows.flatMap((element, lane) =>
              lane === 0 ? element.stores : [`if (m0 + ${lane} < ${M}) {`, ...indent(element.stores), '}'],
            ),
          ),
          '}',
        ];
  // With row statistics, a workgroup shares one block row and computes its statistics together
  // (one barrier-separated pass per statistic) instead of each invocation computing them alone.
  const sharedRows = statistics.statistics.length > 0 && width % MATMUL_BLOCK === 0;
  const blocksN = `(${N} + ${DIRECT_BLOCK_COLUMNS - 1}) / ${DIRECT_BLOCK_COLUMNS}`;
  const blocksM = `(${M} + ${MATMUL_BLOCK - 1}) / ${MATMUL_BLOCK}`;
  const placement = sharedRows
    ? [
        `let blocks_n = ${blocksN};`,
        `let blocks_m = ${blocksM};`,
        `let groups_n = (blocks_n + ${width - 1}) / ${width};`,
        'let group = i32(workgroup_index);',
        `let block_n = (group % groups_n) * ${width} + i32(local_index);`,
        'let block_m = (group / groups_n) % blocks_m;',
        'let batch = group / (groups_n * blocks_m);',
      ]
    : [
        `let index = i32(workgroup_index) * ${width} + i32(local_index);`,
        `let blocks_n = ${blocksN};`,
        `let blocks_m = ${blocksM};`,
        'let block_n = index % blocks_n;',
        'let block_m = (index / blocks_n) % blocks_m;',
        'let batch = index / (blocks_n * blocks_m);',
      ];
  const rowStatistics = sharedRows
    ? [
        ...statistics.lines(context, parts.composer, {
          first: 'm0',
          rows: MATMUL_BLOCK,
          lanes: width / MATMUL_BLOCK,
          columns: K,
          bounds: `m < ${M}`,
          rowIndex: parts.rowIndex,
          variables: { ...parts.batchVariables, m: 'm', k: 'k' },
        }),
        ...lanes.flatMap((lane) =>
          statistics
            .readPositions()
            .map((position) => `let stat${position}_row${lane} = row_stat${position}[${lane}];`),
        ),
      ]
    : statistics.blockLines(context, parts.composer, {
        rows: lanes.map((lane) => `row${lane}`),
        columns: K,
        rowIndex: parts.rowIndex,
        variables: parts.batchVariables,
      });
  const body = [
    ...placement,
    `if (batch >= ${parts.batchCount}) {`,
    '  return;',
    '}',
    BATCH_INDICES,
    `let m0 = block_m * ${MATMUL_BLOCK};`,
    `let n0 = block_n * ${DIRECT_BLOCK_COLUMNS};`,
    '// Rows and columns of the block, clamped into the matrix (repeats at an edge are not stored)',
    ROW_INDICES,
    ...(sharedRows
      ? // Invocations past the last block column still take part in the statistics: clamp them all.
        columnLanes.map((lane) => `let column${lane} = min(n0 + ${lane}, ${N} - 1);`)
      : clamped('column', 'n0', N, columnLanes)),
    ...rowStatistics,
    `// acc<r>[_<g>]: row r, columns 4g..4g+3 of the ${MATMUL_BLOCK}x${DIRECT_BLOCK_COLUMNS} output block of this invocation`,
    ...lanes.flatMap((lane) => groups.map((group) => `var ${accumulator(lane, group)} = vec4<f32>();`)),
    `for (var k = 0; k < ${K}; k++) {`,
    ...indent([
      `// Rows of ${describe(a)}${parts.transposeA ? ' (transposed)' : ''}`,
      ...aRows.flatMap((element, lane) => [...element.lines, `let a_row${lane} = ${element.value};`]),
      ...prologueStores,
      `// Columns of ${describe(b)}${parts.transposeB ? ' (transposed)' : ''}`,
      ...bColumns.flatMap((element) => element.lines),
      ...groups.flatMap((group) => {
        const values = bColumns
          .slice(group * MATMUL_BLOCK, (group + 1) * MATMUL_BLOCK)
          .map((element) => element.value);
        const row = `let ${bRow(group)} = vec4<f32>(${values.join(', ')});`;
        if (row.length <= 96 || layoutLength(row) <= 96) return [row];
        // Long loads are named one by one, so that the line stays readable.
        const names = values.map((_, column) => `b_value${group * MATMUL_BLOCK + column}`);
        return [
          ...values.map((value, column) => `let ${names[column]} = ${value};`),
          `let ${bRow(group)} = vec4<f32>(${names.join(', ')});`,
        ];
      }),
      ...lanes.flatMap((lane) =>
        groups.map(
          (group) =>
            `${accumulator(lane, group)} = fma(vec4<f32>(a_row${lane}), ${bRow(group)}, ${accumulator(lane, group)});`,
        ),
      ),
    ]),
    '}',
    ...lanes.flatMap((lane) =>
      groups.map((group) =>
        parts.storeRow(
          lane === 0 ? 'm0' : `m0 + ${lane}`,
          group === 0 ? 'n0' : `n0 + ${group * MATMUL_BLOCK}`,
          accumulator(lane, group),
        ),
      ),
    ),
  ];
  // The clamped rows the rest of the body reads (an A operand gathered at another row reads none).
  const rowsAt = body.indexOf(ROW_INDICES);
  const afterRows = body.slice(rowsAt + 1).join('\n');
  body.splice(
    rowsAt,
    1,
    ...clamped('row', 'm0', M, lanes).filter((line) =>
      new RegExp(`\\b${/let (\w+)/.exec(line)![1]}\\b`).test(afterRows),
    ),
  );
  // The clamped columns the rest of the body reads (a B operand of one column reads none).
  // Each column is counted in one scan of the body (a pattern per column searched every line cost
  // more than the rest of the template): a column is unread when its own lines hold every mention.
  const columnMentions = wordCounts(body.join('\n'), COLUMN_WORD);
  const unreadColumns = body.filter((line) => {
    const name = /^\s*let (column\d+) = /.exec(line)?.[1];
    if (name === undefined) return false;
    const copies = body.filter((other) => other === line).length;
    return columnMentions.get(name) === copies * (wordCounts(line, COLUMN_WORD).get(name) ?? 0);
  });
  for (const line of unreadColumns) body.splice(body.indexOf(line), 1);
  // The batch indices the rest of the body reads.
  bindBatchIndices(context, body, 'batch', parts.batchShape, 'b');
  return {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => {
      const [rows, columns] = [mDim, nDim].map((dim) => countFor([dim], dims)) as [number, number];
      const blocksN = Math.ceil(columns / DIRECT_BLOCK_COLUMNS);
      const rowBlocks = Math.ceil(rows / MATMUL_BLOCK) * countFor(parts.batchShape, dims);
      if (sharedRows) return rowBlocks * Math.ceil(blocksN / width);
      return Math.ceil((rowBlocks * blocksN) / width);
    },
    body,
  };
}

/** A clamped column's variable as a whole word (`\b` as in `\bcolumn3\b`). */
const COLUMN_WORD = /\bcolumn\d+\b/g;

/** How often each match of `word` (a global pattern) occurs in `text`. */
function wordCounts(text: string, word: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [match] of text.matchAll(word)) counts.set(match, (counts.get(match) ?? 0) + 1);
  return counts;
}
