import type { Dim } from '@weft/ir';
import { describe } from '../element-composer.js';
import type { EntryPoint } from '../kernel-context.js';
import type { MatmulParts, OperandElement } from './matmul-parts.js';
import { MATMUL_BLOCK } from './matmul-strategy.js';
import { SUBGROUP_MATRIX_EXTENSION, type SubgroupMatrixPlan } from './subgroup-matrix-strategy.js';
import { BATCH_INDICES, bindBatchIndices, countFor, indent } from './template-support.js';

/**
 * The subgroup-matrix matmul (Dawn's `chromium_experimental_subgroup_matrix`). Each workgroup of
 * `plan.width` (= `subgroupMaxSize`) invocations computes a `tile.rows`×`tile.columns` output tile:
 *
 * 1. all invocations stage A (`tile.rows`×`tile.depth`) and B (`tile.depth`×`tile.columns`) in
 *    workgroup memory, row-major, in the config's component type (fused prologues applied, zero
 *    outside the matrices), as the tiled variant does;
 * 2. each M×N block of the tile is owned by one subgroup (block `b` by subgroup
 *    `b % num_subgroups`), which keeps it in a `subgroup_matrix_result<f32, N, M>` and adds the
 *    product of a `subgroup_matrix_left` (M×K) and a `subgroup_matrix_right` (K×N) loaded from the
 *    staged tiles per K step of the config;
 * 3. the subgroups store their blocks into an f32 tile in workgroup memory, and every invocation
 *    runs the epilogue on four columns at a time through `store_block_row` (bounds-checked).
 *
 * No subgroup size or count is assumed: the workgroup may hold one subgroup or several (Vulkan
 * may run smaller subgroups than the maximum), so ownership uses `subgroup_id` and
 * `num_subgroups`, and conditions on them are subgroup-uniform as the builtins require: the same
 * distribution and zero-initialized accumulators as `SubgroupMatrix_TiledMatrixMultiplyTest` in
 * Dawn's src/dawn/tests/end2end/SubgroupMatrixTests.cpp (whose must-pass case is a workgroup of
 * `subgroupMaxSize`). Syntax and argument order follow that file and Tint's
 * src/tint/lang/wgsl/wgsl.def (`subgroupMatrixLoad<T, row_major>(ptr, offset, stride)`,
 * `subgroupMatrixStore<row_major>(ptr, offset, value, stride)`, offset and stride in elements;
 * `subgroup_matrix_left<T, K, M>` is columns first). The `workgroup_size` rule (x a multiple of
 * `subgroupMaxSize`) is from docs/dawn/features/subgroup_matrix.md.
 */
export function subgroupMatrixMatmulBody(
  parts: MatmulParts,
  plan: SubgroupMatrixPlan,
  [mDim, nDim]: readonly [Dim, Dim],
): EntryPoint {
  const { context, a, b, rows: M, columns: N, depth: K, statistics } = parts;
  const { config, tile, width } = plan;
  const element = config.componentType;
  context.enable(SUBGROUP_MATRIX_EXTENSION);
  if (element === 'f16') context.enable('f16');
  context.workgroupArray('tile_a', element, tile.rows * tile.depth);
  context.workgroupArray('tile_b', element, tile.depth * tile.columns);
  context.workgroupArray('tile_c', 'f32', tile.rows * tile.columns);
  // Columns come first in the type parameters: left<T, K, M> is M rows by K columns.
  const aliases = [
    `alias LeftMatrix = subgroup_matrix_left<${element}, ${config.K}, ${config.M}>;`,
    `alias RightMatrix = subgroup_matrix_right<${element}, ${config.N}, ${config.K}>;`,
    `alias ResultMatrix = subgroup_matrix_result<f32, ${config.N}, ${config.M}>;`,
  ].join('\n');
  const blocksN = tile.columns / config.N;
  const blocks = Array.from({ length: (tile.rows / config.M) * blocksN }, (_, block) => ({
    block,
    row: Math.floor(block / blocksN) * config.M,
    column: (block % blocksN) * config.N,
  }));
  const owner = (block: number) => `if (subgroup_id == ${block}u % subgroup_count) {`;
  const load = (
    name: string,
    size: number,
    operand: OperandElement,
    place: readonly string[],
    bounds: string,
    prelude: readonly string[] = [],
  ): string[] => [
    `for (var slot = i32(local_index); slot < ${size}; slot += ${width}) {`,
    ...indent([
      ...place,
      'var value = 0.0;',
      `if (${bounds}) {`,
      ...indent([
        ...prelude,
        ...operand.lines,
        `value = ${operand.value};`,
        ...(operand.stores.length === 0 ? [] : ['if (tile_n == 0) {', ...indent(operand.stores), '}']),
      ]),
      '}',
      `${name}[slot] = ${element === 'f32' ? 'value' : `${element}(value)`};`,
    ]),
    '}',
  ];
  const quads = tile.columns / MATMUL_BLOCK;
  const body = [
    `let tiles_n = ${Math.ceil(Number(N) / tile.columns)};`,
    `let tiles_m = ${Math.ceil(Number(M) / tile.rows)};`,
    'let tile = i32(workgroup_index);',
    'let tile_n = tile % tiles_n;',
    'let tile_m = (tile / tiles_n) % tiles_m;',
    'let batch = tile / (tiles_n * tiles_m);',
    `if (batch >= ${parts.batchCount}) {`,
    '  return;',
    '}',
    BATCH_INDICES,
    ...statistics.lines(context, parts.composer, {
      first: `tile_m * ${tile.rows}`,
      rows: tile.rows,
      lanes: Math.max(1, width / tile.rows),
      columns: K,
      bounds: `m < ${M}`,
      rowIndex: parts.rowIndex,
      variables: { ...parts.batchVariables, m: 'm', k: 'k' },
    }),
    `// acc<b>: ${config.M}x${config.N} block b of the tile (zero-initialized), owned by subgroup b % num_subgroups`,
    ...blocks.map(({ block }) => `var acc${block}: ResultMatrix;`),
    `for (var k0 = 0; k0 < ${K}; k0 += ${tile.depth}) {`,
    ...indent([
      `// A tile: ${tile.rows} rows x ${tile.depth} columns of ${describe(a)}${parts.transposeA ? ' (transposed)' : ''}`,
      ...load(
        'tile_a',
        tile.rows * tile.depth,
        parts.aElement('m', 'k', 'v'),
        [`let m = tile_m * ${tile.rows} + slot / ${tile.depth};`, `let k = k0 + slot % ${tile.depth};`],
        `m < ${M} && k < ${K}`,
        statistics.loadLines(`slot / ${tile.depth}`),
      ),
      `// B tile: ${tile.depth} rows x ${tile.columns} columns of ${describe(b)}${parts.transposeB ? ' (transposed)' : ''}`,
      ...load(
        'tile_b',
        tile.depth * tile.columns,
        parts.bElement('k', 'n', 'v'),
        [
          `let k = k0 + slot / ${tile.columns};`,
          `let n = tile_n * ${tile.columns} + slot % ${tile.columns};`,
        ],
        `k < ${K} && n < ${N}`,
      ),
      'workgroupBarrier();',
      `for (var kk = 0u; kk < ${tile.depth}u; kk += ${config.K}u) {`,
      ...indent(
        blocks.flatMap(({ block, row, column }) => [
          owner(block),
          `  let left = subgroupMatrixLoad<LeftMatrix, row_major>(&tile_a, ${row * tile.depth}u + kk, ${tile.depth}u);`,
          `  let right = subgroupMatrixLoad<RightMatrix, row_major>(&tile_b, kk * ${tile.columns}u + ${column}u, ${tile.columns}u);`,
          `  acc${block} = subgroupMatrixMultiplyAccumulate(left, right, acc${block});`,
          '}',
        ]),
      ),
      '}',
      'workgroupBarrier();',
    ]),
    '}',
    ...blocks.flatMap(({ block, row, column }) => [
      owner(block),
      `  subgroupMatrixStore<row_major>(&tile_c, ${row * tile.columns + column}u, acc${block}, ${tile.columns}u);`,
      '}',
    ]),
    'workgroupBarrier();',
    `for (var slot = i32(local_index); slot < ${tile.rows * quads}; slot += ${width}) {`,
    ...indent([
      `let at = (slot / ${quads}) * ${tile.columns} + (slot % ${quads}) * ${MATMUL_BLOCK};`,
      `let m = tile_m * ${tile.rows} + slot / ${quads};`,
      `let n0 = tile_n * ${tile.columns} + (slot % ${quads}) * ${MATMUL_BLOCK};`,
      parts.storeRow('m', 'n0', 'vec4<f32>(tile_c[at], tile_c[at + 1], tile_c[at + 2], tile_c[at + 3])'),
    ]),
    '}',
  ];
  bindBatchIndices(context, body, 'batch', parts.batchShape, 'b');
  return {
    workgroupSize: [width, 1, 1],
    workgroupCount: (dims) => {
      const [rows, columns] = [mDim, nDim].map((dim) => countFor([dim], dims)) as [number, number];
      return (
        Math.ceil(rows / tile.rows) * Math.ceil(columns / tile.columns) * countFor(parts.batchShape, dims)
      );
    },
    body,
    subgroupIds: true,
    functions: [aliases],
  };
}
