import { type Dim, UnsupportedError } from '@weft/ir';
import { describe } from '../element-composer.js';
import type { EntryPoint } from '../kernel-context.js';
import type { MatmulParts, OperandElement } from './matmul-parts.js';
import { MATMUL_BLOCK, MATMUL_TILE } from './matmul-strategy.js';
import { BATCH_INDICES, bindBatchIndices, countFor, indent } from './template-support.js';

/** Invocations per tile edge. */
const THREADS = MATMUL_TILE / MATMUL_BLOCK;
/** Invocations per A row when a prologue computes row statistics. */
const STAT_LANES = (THREADS * THREADS) / MATMUL_TILE;

/**
 * The tiled matmul: each workgroup computes a {@link MATMUL_TILE}² output tile from A and B tiles
 * of `tileK` columns staged in workgroup memory (zero outside the matrices), each invocation a
 * 4×4 block into four `vec4<f32>` rows. Row statistics are computed by {@link STAT_LANES}
 * invocations per row of the tile before the K loop.
 */
export function tiledMatmulBody(
  parts: MatmulParts,
  tileK: number,
  [mDim, nDim]: readonly [Dim, Dim],
): EntryPoint {
  const { context, a, b, rows: M, columns: N, depth: K, statistics } = parts;
  checkLimits(parts, tileK);
  context.workgroupArray('tile_a', 'f32', MATMUL_TILE * tileK);
  context.workgroupArray('tile_b', 'f32', tileK * MATMUL_TILE);
  const load = (
    tile: string,
    element: OperandElement,
    row: string,
    column: string,
    bounds: string,
    prelude: readonly string[] = [],
  ): string[] => [
    `for (var slot = i32(local_index); slot < ${MATMUL_TILE * tileK}; slot += ${THREADS * THREADS}) {`,
    ...indent([
      row,
      column,
      'var value = 0.0;',
      `if (${bounds}) {`,
      ...indent([
        ...prelude,
        ...element.lines,
        `value = ${element.value};`,
        ...(element.stores.length === 0 ? [] : ['if (tile_n == 0) {', ...indent(element.stores), '}']),
      ]),
      '}',
      `${tile}[slot] = value;`,
    ]),
    '}',
  ];
  const rowsOfBlock = Array.from({ length: MATMUL_BLOCK }, (_, row) => row);
  const body = [
    `let tiles_n = ${tileCount(N)};`,
    `let tiles_m = ${tileCount(M)};`,
    'let tile = i32(workgroup_index);',
    'let tile_n = tile % tiles_n;',
    'let tile_m = (tile / tiles_n) % tiles_m;',
    'let batch = tile / (tiles_n * tiles_m);',
    `if (batch >= ${parts.batchCount}) {`,
    '  return;',
    '}',
    BATCH_INDICES,
    `let thread_n = i32(local_index % ${THREADS}u);`,
    `let thread_m = i32(local_index / ${THREADS}u);`,
    '// acc<r>: row r of the 4x4 output block of this invocation',
    ...rowsOfBlock.map((row) => `var acc${row} = vec4<f32>();`),
    ...statistics.lines(context, parts.composer, {
      first: `tile_m * ${MATMUL_TILE}`,
      rows: MATMUL_TILE,
      lanes: STAT_LANES,
      columns: K,
      bounds: `m < ${M}`,
      rowIndex: parts.rowIndex,
      variables: { ...parts.batchVariables, m: 'm', k: 'k' },
    }),
    `for (var k0 = 0; k0 < ${K}; k0 += ${tileK}) {`,
    ...indent([
      `// A tile: ${MATMUL_TILE} rows x ${tileK} columns of ${describe(a)}${parts.transposeA ? ' (transposed)' : ''}`,
      ...load(
        'tile_a',
        parts.aElement('m', 'k', 'v'),
        `let m = tile_m * ${MATMUL_TILE} + slot / ${tileK};`,
        `let k = k0 + slot % ${tileK};`,
        `m < ${M} && k < ${K}`,
        statistics.loadLines(`slot / ${tileK}`),
      ),
      `// B tile: ${tileK} rows x ${MATMUL_TILE} columns of ${describe(b)}${parts.transposeB ? ' (transposed)' : ''}`,
      ...load(
        'tile_b',
        parts.bElement('k', 'n', 'v'),
        `let k = k0 + slot / ${MATMUL_TILE};`,
        `let n = tile_n * ${MATMUL_TILE} + slot % ${MATMUL_TILE};`,
        `k < ${K} && n < ${N}`,
      ),
      'workgroupBarrier();',
      `for (var kk = 0; kk < ${tileK}; kk++) {`,
      `  let a_at = thread_m * ${MATMUL_BLOCK * tileK} + kk;`,
      `  let b_at = kk * ${MATMUL_TILE} + thread_n * ${MATMUL_BLOCK};`,
      '  let b_row = vec4<f32>(tile_b[b_at], tile_b[b_at + 1], tile_b[b_at + 2], tile_b[b_at + 3]);',
      ...rowsOfBlock.map(
        (row) =>
          `  acc${row} = fma(vec4<f32>(tile_a[a_at${row === 0 ? '' : ` + ${row * tileK}`}]), b_row, acc${row});`,
      ),
      '}',
      'workgroupBarrier();',
    ]),
    '}',
    `let m0 = tile_m * ${MATMUL_TILE} + thread_m * ${MATMUL_BLOCK};`,
    `let n0 = tile_n * ${MATMUL_TILE} + thread_n * ${MATMUL_BLOCK};`,
    ...rowsOfBlock.map((row) => parts.storeRow(row === 0 ? 'm0' : `m0 + ${row}`, 'n0', `acc${row}`)),
  ];
  // The batch indices the rest of the body reads.
  bindBatchIndices(context, body, 'batch', parts.batchShape, 'b');
  return {
    workgroupSize: [THREADS * THREADS, 1, 1],
    workgroupCount: (dims) => {
      const [rows, columns] = [mDim, nDim].map((dim) => countFor([dim], dims)) as [number, number];
      return (
        Math.ceil(rows / MATMUL_TILE) * Math.ceil(columns / MATMUL_TILE) * countFor(parts.batchShape, dims)
      );
    },
    body,
  };
}

function checkLimits(parts: MatmulParts, tileK: number): void {
  const bytes = 2 * MATMUL_TILE * tileK * 4 + parts.statistics.workgroupBytes(MATMUL_TILE, STAT_LANES);
  const limits = parts.context.profile.limits;
  if (
    limits.maxComputeInvocationsPerWorkgroup < THREADS * THREADS ||
    limits.maxComputeWorkgroupStorageSize < bytes
  ) {
    throw new UnsupportedError(
      `matmul kernel ${parts.context.kernel.id}: the device is below the tile's needs`,
      {
        expected: `${THREADS * THREADS} invocations and ${bytes} bytes of workgroup storage`,
        actual: `${limits.maxComputeInvocationsPerWorkgroup} invocations, ${limits.maxComputeWorkgroupStorageSize} bytes`,
      },
    );
  }
}

/** WGSL of ⌈size / MATMUL_TILE⌉, folded when the size is a number. */
function tileCount(size: string): string {
  return /^\d+$/.test(size)
    ? String(Math.ceil(Number(size) / MATMUL_TILE))
    : `(${size} + ${MATMUL_TILE - 1}) / ${MATMUL_TILE}`;
}
