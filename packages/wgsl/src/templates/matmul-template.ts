import {
  constant,
  type Dim,
  type Expr,
  type Kernel,
  type Node,
  shapesEqual,
  UnsupportedError,
  variable,
} from '@weft/ir';
import { describe, ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { flatIndexExpr, indexVariable } from '../index-exprs.js';
import { KernelContext } from '../kernel-context.js';
import { accumulatorType, wgslType } from '../wgsl-types.js';
import { countFor, indent, sizeText, unflattenLines, variableNames } from './template-support.js';

/** Output tile edge (rows and columns per workgroup). */
const TILE = 32;
/** Depth of one K step staged in workgroup memory. */
const TILE_K = 16;
/** Outputs per invocation along each axis (register blocking). */
const BLOCK = 4;
/** Invocations per tile edge. */
const THREADS = TILE / BLOCK;

/**
 * Tiled batched matmul `[..., M, K] × [..., K, N]` (either operand transposed, batch dims
 * broadcast): each workgroup computes a 32×32 output tile from 32×16 and 16×32 tiles staged in
 * workgroup memory, each invocation a 4×4 block in registers, accumulating in f32. Sizes need
 * not divide the tile (loads outside are zero, stores are bounds-checked). Fused prologue nodes
 * are applied while loading A and B; epilogue nodes (bias, activation, residual) before the store.
 */
export function generateMatmul(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const matmul = kernel.anchor;
  const [a, b] = matmul.inputs as [Node, Node];
  const transposeA = matmul.attrs.transposeA === true;
  const transposeB = matmul.attrs.transposeB === true;
  const outputShape = matmul.shape;
  const batchShape = outputShape.slice(0, -2);
  const [mDim, nDim] = outputShape.slice(-2) as [Dim, Dim];
  const kDim = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
  checkLimits(kernel, profile);
  for (const output of kernel.outputs) {
    if (!shapesEqual(output.shape, outputShape)) {
      throw new UnsupportedError(
        `matmul kernel ${kernel.id}: output ${describe(output)} does not have the matmul's shape`,
        {
          expected: JSON.stringify(outputShape),
          actual: JSON.stringify(output.shape),
        },
      );
    }
  }
  const batch = batchShape.map((_, axis) => indexVariable(`b${axis}`));
  const m = indexVariable('m');
  const n = indexVariable('n');
  const k = indexVariable('k');
  const operandIndex = (operand: Node, row: Expr, column: Expr, transpose: boolean): Expr[] => {
    const operandBatch = operand.shape.slice(0, -2);
    const offset = batch.length - operandBatch.length;
    const batchIndex = operandBatch.map((dim, axis) =>
      dim === 1 ? constant(0, 'i32') : batch[axis + offset]!,
    );
    return [...batchIndex, ...(transpose ? [column, row] : [row, column])];
  };
  const accumulator = variable('acc', matmul.dtype);
  const composer = new ElementComposer(kernel, new Map([[matmul, accumulator]]));
  const batchVariables = variableNames('b', batch.length);
  const aElement = context.render([composer.element(a, operandIndex(a, m, k, transposeA))], {
    ...batchVariables,
    m: 'm',
    k: 'k',
  });
  const bElement = context.render([composer.element(b, operandIndex(b, k, n, transposeB))], {
    ...batchVariables,
    k: 'k',
    n: 'n',
  });
  const outputIndex = [...batch, m, n];
  const epilogue = context.render(
    [
      ...kernel.outputs.map((output) => composer.element(output, outputIndex)),
      flatIndexExpr(outputIndex, outputShape),
    ],
    { ...batchVariables, m: 'm', n: 'n', acc: 'acc_value' },
    'e',
  );
  const [M, N, K] = [sizeText(context, mDim), sizeText(context, nDim), sizeText(context, kDim)];
  const batchCount =
    batchShape.length === 0 ? '1' : batchShape.map((dim) => sizeText(context, dim)).join(' * ');
  const accumulate = accumulatorType(matmul.dtype);
  if (accumulate !== 'f32') {
    throw new UnsupportedError(`matmul kernel ${kernel.id}: only float matmuls are supported`, {
      expected: 'f32 or f16',
      actual: matmul.dtype,
    });
  }
  context.workgroupArray('tile_a', 'f32', TILE * TILE_K);
  context.workgroupArray('tile_b', 'f32', TILE_K * TILE);
  const load = (
    tile: string,
    element: typeof aElement,
    row: string,
    column: string,
    bounds: string,
    dtype: string,
  ): string[] => [
    `for (var slot = i32(local_index); slot < ${TILE * TILE_K}; slot += ${THREADS * THREADS}) {`,
    ...indent([
      row,
      column,
      'var value = 0.0;',
      `if (${bounds}) {`,
      ...indent([
        ...element.lines,
        `value = ${dtype === 'f32' ? element.values[0] : `f32(${element.values[0]})`};`,
      ]),
      '}',
      `${tile}[slot] = value;`,
    ]),
    '}',
  ];
  const body = [
    `let tiles_n = (${N} + ${TILE - 1}) / ${TILE};`,
    `let tiles_m = (${M} + ${TILE - 1}) / ${TILE};`,
    'let tile = i32(workgroup_index);',
    'let tile_n = tile % tiles_n;',
    'let tile_m = (tile / tiles_n) % tiles_m;',
    'let batch = tile / (tiles_n * tiles_m);',
    `if (batch >= ${batchCount}) {`,
    '  return;',
    '}',
    ...unflattenLines(context, 'batch', batchShape, 'b'),
    `let thread_n = i32(local_index % ${THREADS}u);`,
    `let thread_m = i32(local_index / ${THREADS}u);`,
    `var acc: array<array<f32, ${BLOCK}>, ${BLOCK}>;`,
    `for (var k0 = 0; k0 < ${K}; k0 += ${TILE_K}) {`,
    ...indent([
      `// A tile: ${TILE} rows x ${TILE_K} columns of ${describe(a)}${transposeA ? ' (transposed)' : ''}`,
      ...load(
        'tile_a',
        aElement,
        `let m = tile_m * ${TILE} + slot / ${TILE_K};`,
        `let k = k0 + slot % ${TILE_K};`,
        `m < ${M} && k < ${K}`,
        wgslType(a.dtype),
      ),
      `// B tile: ${TILE_K} rows x ${TILE} columns of ${describe(b)}${transposeB ? ' (transposed)' : ''}`,
      ...load(
        'tile_b',
        bElement,
        `let k = k0 + slot / ${TILE};`,
        `let n = tile_n * ${TILE} + slot % ${TILE};`,
        `k < ${K} && n < ${N}`,
        wgslType(b.dtype),
      ),
      'workgroupBarrier();',
      `for (var kk = 0; kk < ${TILE_K}; kk++) {`,
      `  var a_column: array<f32, ${BLOCK}>;`,
      `  var b_row: array<f32, ${BLOCK}>;`,
      `  for (var i = 0; i < ${BLOCK}; i++) {`,
      `    a_column[i] = tile_a[(thread_m * ${BLOCK} + i) * ${TILE_K} + kk];`,
      `    b_row[i] = tile_b[kk * ${TILE} + thread_n * ${BLOCK} + i];`,
      '  }',
      `  for (var i = 0; i < ${BLOCK}; i++) {`,
      `    for (var j = 0; j < ${BLOCK}; j++) {`,
      '      acc[i][j] = fma(a_column[i], b_row[j], acc[i][j]);',
      '    }',
      '  }',
      '}',
      'workgroupBarrier();',
    ]),
    '}',
    `for (var i = 0; i < ${BLOCK}; i++) {`,
    `  for (var j = 0; j < ${BLOCK}; j++) {`,
    `    let m = tile_m * ${TILE} + thread_m * ${BLOCK} + i;`,
    `    let n = tile_n * ${TILE} + thread_n * ${BLOCK} + j;`,
    `    if (m < ${M} && n < ${N}) {`,
    ...indent(
      [
        `let acc_value = ${matmul.dtype === 'f32' ? 'acc[i][j]' : `${wgslType(matmul.dtype)}(acc[i][j])`};`,
        ...epilogue.lines,
        `let flat = ${epilogue.values[kernel.outputs.length]};`,
        ...kernel.outputs.map((output, position) =>
          context.store(output, 'flat', epilogue.values[position]!),
        ),
      ],
      3,
    ),
    '    }',
    '  }',
    '}',
  ];
  return context.build('matmul', {
    workgroupSize: [THREADS * THREADS, 1, 1],
    workgroupCount: (dims) => {
      const [rows, columns] = [mDim, nDim].map((dim) => countFor([dim], dims)) as [number, number];
      return Math.ceil(rows / TILE) * Math.ceil(columns / TILE) * countFor(batchShape, dims);
    },
    body,
  });
}

function checkLimits(kernel: Kernel, profile: DeviceProfile): void {
  const bytes = 2 * TILE * TILE_K * 4;
  const limits = profile.limits;
  if (
    limits.maxComputeInvocationsPerWorkgroup < THREADS * THREADS ||
    limits.maxComputeWorkgroupStorageSize < bytes
  ) {
    throw new UnsupportedError(`matmul kernel ${kernel.id}: the device is below the tile's needs`, {
      expected: `${THREADS * THREADS} invocations and ${bytes} bytes of workgroup storage`,
      actual: `${limits.maxComputeInvocationsPerWorkgroup} invocations, ${limits.maxComputeWorkgroupStorageSize} bytes`,
    });
  }
}
