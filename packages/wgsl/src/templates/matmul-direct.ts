import type { Dim } from '@weft/ir';
import { describe } from '../element-composer.js';
import type { EntryPoint } from '../kernel-context.js';
import type { MatmulParts } from './matmul-parts.js';
import { MATMUL_BLOCK } from './matmul-strategy.js';
import { countFor, indent, unflattenLines } from './template-support.js';

/**
 * The direct matmul: no workgroup memory and no barriers. Each invocation computes one 4×4 output
 * block into four `vec4<f32>` rows, reading its four rows of A and four columns of B straight
 * from storage at each step of K. Rows and columns past the matrix edge are clamped to the last
 * one (valid reads, no branches in the K loop); their results are never stored. Row statistics
 * are computed by each invocation for its own rows before the K loop; prologue outputs of A are
 * stored by the invocations of the first block column.
 */
export function directMatmulBody(
  parts: MatmulParts,
  width: number,
  [mDim, nDim]: readonly [Dim, Dim],
): EntryPoint {
  const { context, a, b, rows: M, columns: N, depth: K, statistics } = parts;
  const lanes = Array.from({ length: MATMUL_BLOCK }, (_, lane) => lane);
  const clamped = (name: string, first: string, size: string) =>
    lanes.map((lane) =>
      lane === 0 ? `let ${name}0 = ${first};` : `let ${name}${lane} = min(${first} + ${lane}, ${size} - 1);`,
    );
  const aRows = lanes.map((lane) =>
    parts.aElement(`row${lane}`, 'k', `a${lane}_`, statistics.rowVariables(lane)),
  );
  const bColumns = lanes.map((lane) => parts.bElement('k', `column${lane}`, `b${lane}_`));
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
  const body = [
    `let index = i32(workgroup_index) * ${width} + i32(local_index);`,
    `let blocks_n = (${N} + ${MATMUL_BLOCK - 1}) / ${MATMUL_BLOCK};`,
    `let blocks_m = (${M} + ${MATMUL_BLOCK - 1}) / ${MATMUL_BLOCK};`,
    'let block_n = index % blocks_n;',
    'let block_m = (index / blocks_n) % blocks_m;',
    'let batch = index / (blocks_n * blocks_m);',
    `if (batch >= ${parts.batchCount}) {`,
    '  return;',
    '}',
    ...unflattenLines(context, 'batch', parts.batchShape, 'b'),
    `let m0 = block_m * ${MATMUL_BLOCK};`,
    `let n0 = block_n * ${MATMUL_BLOCK};`,
    '// Rows and columns of the block, clamped into the matrix (repeats at an edge are not stored)',
    ...clamped('row', 'm0', M),
    ...clamped('column', 'n0', N),
    ...statistics.blockLines(context, parts.composer, {
      rows: lanes.map((lane) => `row${lane}`),
      columns: K,
      rowIndex: parts.rowIndex,
      variables: parts.batchVariables,
    }),
    '// acc<r>: row r of the 4x4 output block of this invocation',
    ...lanes.map((lane) => `var acc${lane} = vec4<f32>();`),
    `for (var k = 0; k < ${K}; k++) {`,
    ...indent([
      `// Rows of ${describe(a)}${parts.transposeA ? ' (transposed)' : ''}`,
      ...aRows.flatMap((element, lane) => [...element.lines, `let a_row${lane} = ${element.value};`]),
      ...prologueStores,
      `// Columns of ${describe(b)}${parts.transposeB ? ' (transposed)' : ''}`,
      ...bColumns.flatMap((element) => element.lines),
      `let b_row = vec4<f32>(${bColumns.map((element) => element.value).join(', ')});`,
      ...lanes.map((lane) => `acc${lane} = fma(vec4<f32>(a_row${lane}), b_row, acc${lane});`),
    ]),
    '}',
    ...lanes.map((lane) => parts.storeRow(lane === 0 ? 'm0' : `m0 + ${lane}`, 'n0', `acc${lane}`)),
  ];
  return {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => {
      const [rows, columns] = [mDim, nDim].map((dim) => countFor([dim], dims)) as [number, number];
      const blocks = Math.ceil(rows / MATMUL_BLOCK) * Math.ceil(columns / MATMUL_BLOCK);
      return Math.ceil((blocks * countFor(parts.batchShape, dims)) / width);
    },
    body,
  };
}
