import {
  constant,
  type Dim,
  type Expr,
  flatIndex,
  indexVariable,
  type Kernel,
  type Node,
  type PlacedIndex,
  shapesEqual,
  substituteExpr,
  UnsupportedError,
  variable,
} from '@weft/ir';
import { describe, ElementComposer } from '../element-composer.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel } from '../generated-kernel.js';
import { KernelContext } from '../kernel-context.js';
import { accumulatorType, wgslType } from '../wgsl-types.js';
import { epilogueIndices } from './epilogue-indices.js';
import { matmulScheduleOf } from './kernel-schedules.js';
import { directMatmulBody } from './matmul-direct.js';
import type { MatmulParts, OperandElement } from './matmul-parts.js';
import { MatmulRowStatistics } from './matmul-prologue.js';
import { chooseMatmulStrategy, MATMUL_BLOCK } from './matmul-strategy.js';
import { subgroupMatrixMatmulBody } from './matmul-subgroup-matrix.js';
import { tiledMatmulBody } from './matmul-tiled.js';
import { indent, sizeText, variableNames } from './template-support.js';

/**
 * Batched matmul `[..., M, K] × [..., K, N]` (either operand transposed, batch dims broadcast),
 * accumulating in f32, each invocation a block of 4 rows (4 or 8 columns); how invocations share the work (A and
 * B tiles staged in workgroup memory, or read straight from storage) is
 * `chooseMatmulStrategy`'s choice. Sizes need not divide the block or tile (loads outside
 * are zero or clamped, stores are bounds-checked). Fused prologue nodes are applied while loading
 * A and B; epilogue nodes (bias, activation, residual) before the store, at each output's place
 * through reshapes, permutes and slices. Reductions of A's rows over K (a norm or softmax feeding
 * A) are computed before the K loop (`MatmulRowStatistics`); per-element values of A's
 * prologue that the kernel must write (a residual sum) are stored while loading A, by the
 * invocations of the first block column.
 */
export function generateMatmul(
  kernel: Kernel,
  profile: DeviceProfile,
  options: GenerateOptions = {},
): GeneratedKernel {
  const context = new KernelContext(kernel, profile, options);
  const schedule = matmulScheduleOf(kernel);
  const matmul = schedule.matmul;
  const [a, b] = matmul.inputs as [Node, Node];
  const transposeA = matmul.attrs.transposeA === true;
  const transposeB = matmul.attrs.transposeB === true;
  const outputShape = matmul.shape;
  const batchShape = outputShape.slice(0, -2);
  const [mDim, nDim] = outputShape.slice(-2) as [Dim, Dim];
  const kDim = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
  const statistics = new MatmulRowStatistics(kernel);
  const strategy = chooseMatmulStrategy(profile, { rows: mDim, columns: nDim, depth: kDim }, (rows, lanes) =>
    statistics.workgroupBytes(rows, lanes),
  );
  const { prologueOutputs, epilogueOutputs, layouts } = schedule;
  for (const output of prologueOutputs) {
    if (transposeA || !shapesEqual(output.shape, a.shape)) {
      throw new UnsupportedError(
        `matmul kernel ${kernel.id}: prologue output ${describe(output)} does not have A's shape`,
        { expected: JSON.stringify(a.shape), actual: JSON.stringify(output.shape) },
      );
    }
  }
  if (layouts === undefined) {
    throw new UnsupportedError(
      `matmul kernel ${kernel.id}: the epilogue is not a bijective function of the matmul's elements`,
      {
        expected: 'elementwise nodes of one layout, reshapes and permutes',
        actual: [matmul, ...schedule.epilogue].map(describe).join(', '),
      },
    );
  }
  if (accumulatorType(matmul.dtype) !== 'f32') {
    throw new UnsupportedError(`matmul kernel ${kernel.id}: only float matmuls are supported`, {
      expected: 'f32 or f16',
      actual: matmul.dtype,
    });
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
  const aRoots = [
    composer.element(a, aIndex),
    ...prologueOutputs.map((output) => composer.element(output, aIndex)),
    ...(prologueOutputs.length === 0 ? [] : [flatIndex(aIndex, a.shape)]),
  ];
  statistics.readBy(aRoots);
  const bRoots = [composer.element(b, operandIndex(b, k, n, transposeB))];
  const asF32 = (value: string, operand: Node) => (operand.dtype === 'f32' ? value : `f32(${value})`);
  const [M, N, K] = [sizeText(context, mDim), sizeText(context, nDim), sizeText(context, kDim)];
  const epilogueLines = epilogueStores(
    context,
    composer,
    epilogueOutputs,
    // Each epilogue output is stored at its place: the matmul element's index through the
    // reshapes, permutes and slices between them (inside a slice's window only).
    epilogueIndices(layouts, matmul, [...batch, m, n]),
    layouts,
    { ...batchVariables, m: 'm', n: 'n', acc: 'acc_value' },
  );
  // store_block_row takes the batch indices its epilogue reads (none when every batch axis has size 1).
  const storeBatch = Object.keys(batchVariables).filter((name) =>
    epilogueLines.some((line) => new RegExp(`\\b${name}\\b`).test(line)),
  );
  const storeFunction = blockRowStore(epilogueLines, {
    rows: M,
    columns: N,
    batchNames: storeBatch,
    dtype: wgslType(matmul.dtype),
  });
  const parts: MatmulParts = {
    context,
    composer,
    statistics,
    a,
    b,
    transposeA,
    transposeB,
    rows: M,
    columns: N,
    depth: K,
    batchCount: batchShape.length === 0 ? '1' : batchShape.map((dim) => sizeText(context, dim)).join(' * '),
    batchShape,
    batchVariables,
    rowIndex: (operand) => operandIndex(operand, m, k, false),
    aElement: (row, column, prefix, rowStatistics = statistics.variables()): OperandElement => {
      const rendered = context.render(
        aRoots,
        { ...batchVariables, m: row, k: column, ...rowStatistics },
        prefix,
      );
      const flat = rendered.values[prologueOutputs.length + 1];
      return {
        lines: rendered.lines,
        value: asF32(rendered.values[0]!, a),
        stores: prologueOutputs.map((output, position) =>
          context.store(output, flat!, rendered.values[position + 1]!),
        ),
      };
    },
    aBlock: (rows, column, prefix, rowStatistics): OperandElement[] => {
      // One rendering for all rows: what they share (a norm's gain and shift at column k) is loaded once.
      const renamed = (row: number) => (expr: Expr) =>
        expr.kind === 'var' && (expr.payload === 'm' || String(expr.payload).startsWith('stat'))
          ? variable(`${String(expr.payload)}__r${row}`, expr.dtype)
          : undefined;
      const roots = rows.flatMap((_, row) => aRoots.map((root) => substituteExpr(root, renamed(row))));
      const names = rows.flatMap((text, row) => [
        [`m__r${row}`, text],
        ...Object.entries(rowStatistics[row] ?? {}).map(([name, value]) => [`${name}__r${row}`, value]),
      ]);
      const rendered = context.render(
        roots,
        { ...batchVariables, k: column, ...Object.fromEntries(names) },
        prefix,
      );
      return rows.map((_, row) => {
        const values = rendered.values.slice(row * aRoots.length, (row + 1) * aRoots.length);
        const flat = values[prologueOutputs.length + 1];
        return {
          lines: row === 0 ? rendered.lines : [],
          value: asF32(values[0]!, a),
          stores: prologueOutputs.map((output, position) =>
            context.store(output, flat!, values[position + 1]!),
          ),
        };
      });
    },
    bElement: (row, column, prefix): OperandElement => {
      const rendered = context.render(bRoots, { ...batchVariables, k: row, n: column }, prefix);
      return { lines: rendered.lines, value: asF32(rendered.values[0]!, b), stores: [] };
    },
    storeRow: (row, firstColumn, values) =>
      `store_block_row(${[row, firstColumn, values, ...storeBatch].join(', ')});`,
  };
  const entry =
    strategy.variant === 'direct'
      ? directMatmulBody(parts, strategy.width, [mDim, nDim])
      : strategy.variant === 'subgroup-matrix'
        ? subgroupMatrixMatmulBody(parts, strategy, [mDim, nDim])
        : tiledMatmulBody(parts, strategy.tileK, [mDim, nDim]);
  return context.build('matmul', { ...entry, functions: [...(entry.functions ?? []), storeFunction] });
}

/**
 * The module function `store_block_row(m, n0, values, b0, ...)` storing one row of an output
 * block: the epilogue of each of its four columns inside the output, at each output's place.
 */
function blockRowStore(
  epilogueLines: readonly string[],
  settings: {
    readonly rows: string;
    readonly columns: string;
    readonly batchNames: readonly string[];
    readonly dtype: string;
  },
): string {
  const parameters = [
    'm: i32',
    'n0: i32',
    'values: vec4<f32>',
    ...settings.batchNames.map((name) => `${name}: i32`),
  ];
  return [
    `fn store_block_row(${parameters.join(', ')}) {`,
    `  if (m >= ${settings.rows}) {`,
    '    return;',
    '  }',
    `  for (var j = 0; j < ${MATMUL_BLOCK}; j++) {`,
    '    let n = n0 + j;',
    `    if (n < ${settings.columns}) {`,
    `      let acc_value = ${settings.dtype === 'f32' ? 'values[j]' : `${settings.dtype}(values[j])`};`,
    ...indent(epilogueLines, 3),
    '    }',
    '  }',
    '}',
  ].join('\n');
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
        ...stored.map((layout) => flatIndex(places.get(layout)!.index, layout.shape)),
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
