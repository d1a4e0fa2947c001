import {
  constant,
  type Dim,
  type Expr,
  epilogueLayout,
  type Kernel,
  layoutIndices,
  type Node,
  type PlacedIndex,
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
import { MatmulRowStatistics } from './matmul-prologue.js';
import { countFor, indent, sizeText, unflattenLines, variableNames } from './template-support.js';

/** Output tile edge (rows and columns per workgroup). */
const TILE = 32;
/** Depth of one K step staged in workgroup memory. */
const TILE_K = 16;
/** Outputs per invocation along each axis (register blocking). */
const BLOCK = 4;
/** Invocations per tile edge. */
const THREADS = TILE / BLOCK;
/** Invocations per A row when a prologue computes row statistics. */
const STAT_LANES = (THREADS * THREADS) / TILE;

/**
 * Tiled batched matmul `[..., M, K] × [..., K, N]` (either operand transposed, batch dims
 * broadcast): each workgroup computes a 32×32 output tile from 32×16 and 16×32 tiles staged in
 * workgroup memory, each invocation a 4×4 block in registers, accumulating in f32. Sizes need
 * not divide the tile (loads outside are zero, stores are bounds-checked). Fused prologue nodes
 * are applied while loading A and B; epilogue nodes (bias, activation, residual) before the store.
 * Reductions of A's rows over K (a norm or softmax feeding A) are computed per row block before
 * the K loop ({@link MatmulRowStatistics}); per-element values of A's prologue that the kernel
 * must write (a residual sum) are stored while loading A, by the workgroups of the first column
 * of tiles.
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
  const statistics = new MatmulRowStatistics(kernel);
  checkLimits(kernel, profile, statistics);
  const epilogueMembers = dependentsOf(kernel, matmul);
  const prologueOutputs = kernel.outputs.filter((output) => !epilogueMembers.has(output));
  const epilogueOutputs = kernel.outputs.filter((output) => epilogueMembers.has(output));
  for (const output of prologueOutputs) {
    if (transposeA || !shapesEqual(output.shape, a.shape)) {
      throw new UnsupportedError(
        `matmul kernel ${kernel.id}: prologue output ${describe(output)} does not have A's shape`,
        { expected: JSON.stringify(a.shape), actual: JSON.stringify(output.shape) },
      );
    }
  }
  const layouts = epilogueLayout(
    matmul,
    kernel.nodes.filter((node) => node !== matmul && epilogueMembers.has(node)),
  );
  if (layouts === undefined) {
    throw new UnsupportedError(
      `matmul kernel ${kernel.id}: the epilogue is not a bijective function of the matmul's elements`,
      {
        expected: 'elementwise nodes of one layout, reshapes and permutes',
        actual: kernel.nodes
          .filter((node) => epilogueMembers.has(node))
          .map(describe)
          .join(', '),
      },
    );
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
  const composer = new ElementComposer(kernel, new Map([[matmul, accumulator], ...statistics.bindings()]));
  const batchVariables = variableNames('b', batch.length);
  const aIndex = operandIndex(a, m, k, transposeA);
  const aElement = context.render(
    [
      composer.element(a, aIndex),
      ...prologueOutputs.map((output) => composer.element(output, aIndex)),
      ...(prologueOutputs.length === 0 ? [] : [flatIndexExpr(aIndex, a.shape)]),
    ],
    { ...batchVariables, m: 'm', k: 'k', ...statistics.variables() },
  );
  const prologueStores =
    prologueOutputs.length === 0
      ? []
      : [
          'if (tile_n == 0) {',
          ...indent(
            prologueOutputs.map((output, position) =>
              context.store(
                output,
                aElement.values[prologueOutputs.length + 1]!,
                aElement.values[position + 1]!,
              ),
            ),
          ),
          '}',
        ];
  const bElement = context.render([composer.element(b, operandIndex(b, k, n, transposeB))], {
    ...batchVariables,
    k: 'k',
    n: 'n',
  });
  const outputIndex = [...batch, m, n];
  // Each epilogue output is stored at its place: the matmul element's index through the
  // reshapes, permutes and slices between them (inside a slice's window only).
  const epilogueLines = epilogueStores(
    context,
    composer,
    epilogueOutputs,
    layoutIndices(layouts, matmul, outputIndex),
    layouts,
    {
      ...batchVariables,
      m: 'm',
      n: 'n',
      acc: 'acc_value',
    },
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
    prelude: readonly string[] = [],
    stores: readonly string[] = [],
  ): string[] => [
    `for (var slot = i32(local_index); slot < ${TILE * TILE_K}; slot += ${THREADS * THREADS}) {`,
    ...indent([
      row,
      column,
      'var value = 0.0;',
      `if (${bounds}) {`,
      ...indent([
        ...prelude,
        ...element.lines,
        `value = ${dtype === 'f32' ? element.values[0] : `f32(${element.values[0]})`};`,
        ...stores,
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
    ...statistics.lines(context, composer, {
      first: `tile_m * ${TILE}`,
      rows: TILE,
      lanes: STAT_LANES,
      columns: K,
      bounds: `m < ${M}`,
      rowIndex: (operand) => operandIndex(operand, m, k, false),
      variables: { ...batchVariables, m: 'm', k: 'k' },
    }),
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
        statistics.loadLines(`slot / ${TILE_K}`),
        prologueStores,
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
        ...epilogueLines,
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

function checkLimits(kernel: Kernel, profile: DeviceProfile, statistics: MatmulRowStatistics): void {
  const bytes = 2 * TILE * TILE_K * 4 + statistics.workgroupBytes(TILE, STAT_LANES);
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

/** `node` and the kernel nodes that depend on it (the matmul and its epilogue). */
function dependentsOf(kernel: Kernel, node: Node): Set<Node> {
  const found = new Set<Node>([node]);
  for (const member of kernel.nodes) {
    if (member.inputs.some((input) => input === node || found.has(input))) found.add(member);
  }
  return found;
}

/**
 * Statements storing the epilogue outputs of one matmul element: outputs placed everywhere share
 * one rendering; those behind a slice are computed and stored only inside its window.
 */
function epilogueStores(
  context: KernelContext,
  composer: ElementComposer,
  outputs: readonly Node[],
  places: ReadonlyMap<Node, PlacedIndex>,
  layouts: ReadonlyMap<Node, Node>,
  variables: Readonly<Record<string, string>>,
): string[] {
  const placeOf = (output: Node): PlacedIndex => places.get(layouts.get(output)!)!;
  const group = (selected: readonly Node[], prefix: string, flatPrefix: string): string[] => {
    const stored = [...new Set(selected.map((output) => layouts.get(output)!))];
    const flatNames = stored.map((_, position) =>
      stored.length === 1 ? flatPrefix : `${flatPrefix}${position}`,
    );
    const rendered = context.render(
      [
        ...selected.map((output) => composer.element(output, placeOf(output).index)),
        ...stored.map((layout) => flatIndexExpr(places.get(layout)!.index, layout.shape)),
      ],
      variables,
      prefix,
    );
    return [
      ...rendered.lines,
      ...flatNames.map((name, position) => `let ${name} = ${rendered.values[selected.length + position]};`),
      ...selected.map((output, position) =>
        context.store(output, flatNames[stored.indexOf(layouts.get(output)!)]!, rendered.values[position]!),
      ),
    ];
  };
  const everywhere = outputs.filter((output) => placeOf(output).inside === undefined);
  const windowed = [...new Set(outputs.map((output) => layouts.get(output)!))].filter(
    (layout) => places.get(layout)!.inside !== undefined,
  );
  const lines = everywhere.length === 0 ? [] : group(everywhere, 'e', 'flat');
  windowed.forEach((layout, position) => {
    const test = context.render([places.get(layout)!.inside!], variables, `w${position}_`);
    const selected = outputs.filter((output) => layouts.get(output) === layout);
    lines.push(
      ...test.lines,
      `if (${test.values[0]}) {`,
      ...indent(group(selected, `p${position}_`, `flat_slice${position}`)),
      '}',
    );
  });
  return lines;
}
