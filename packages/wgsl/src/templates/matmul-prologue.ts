import {
  constant,
  type DType,
  type Expr,
  exprVariables,
  type Kernel,
  type Node,
  UnsupportedError,
  variable,
} from '@weft/ir';
import { PROLOGUE_REDUCTIONS } from '@weft/ir/internal';
import type { ElementComposer } from '../element-composer.js';
import { describe } from '../element-composer.js';
import type { KernelContext } from '../kernel-context.js';
import { accumulatorType, formatLiteral, wgslType } from '../wgsl-types.js';
import { matmulScheduleOf } from './kernel-schedules.js';
import { indent } from './template-support.js';

/**
 * One row statistic of a matmul prologue: a reduction of A's rows over K, or a per-row value
 * computed from earlier statistics and literals only (LayerNorm's `inverseSqrt(variance + eps)`),
 * computed once per row rather than at every element of A.
 */
export interface RowStatistic {
  /** The reduction node, or the per-row node. */
  readonly node: Node;
  /** `sum`, `mean`, `max` or `min`; `row` for a per-row value. */
  readonly fn: string;
  /** The variable (`stat<position>`) that holds the statistic of the current row. */
  readonly result: Expr;
}

/**
 * The row statistics of a matmul kernel's prologue (a norm or softmax feeding A), computed before
 * the K loop, the reductions in order so that each may use the earlier ones (two-pass variance:
 * the mean, then the mean of `(x − mean)²`), accumulating in f32. The tiled variant computes
 * those of its tile's rows with `lanes` invocations per row into workgroup memory
 * ({@link MatmulRowStatistics.lines}), from which the A-tile loads read them
 * ({@link MatmulRowStatistics.loadLines}); the direct variant computes those of each invocation's
 * own rows in that invocation ({@link MatmulRowStatistics.blockLines}).
 */
export class MatmulRowStatistics {
  /** The kernel's reductions, in dispatch order. */
  readonly statistics: readonly RowStatistic[];
  /**
   * Positions of the statistics that the A element reads (set by {@link MatmulRowStatistics.readBy}):
   * only those are kept in workgroup memory and loaded in the A-tile loop; the others (a mean
   * that only feeds the variance) stay local to the statistics block.
   */
  #read: ReadonlySet<number> | undefined;

  /** @param kernel - a matmul kernel; its schedule's row statistics are the statistics. */
  constructor(kernel: Kernel) {
    this.statistics = matmulScheduleOf(kernel).rowStatistics.map(({ node, fn }, position) => {
      if (fn === 'row') return { node, fn, result: variable(`stat${position}`, node.dtype) };
      if (node.op !== 'reduce' || !PROLOGUE_REDUCTIONS.includes(fn)) {
        throw new UnsupportedError(
          `matmul kernel ${kernel.id}: prologue reduction ${describe(node)} is not a row sum, mean, max or min`,
          { expected: 'reduce sum, mean, max or min', actual: `${node.op} ${fn}` },
        );
      }
      return { node, fn, result: variable(`stat${position}`, node.dtype) };
    });
  }

  /** Records which statistics the A operand's element Exprs `roots` read. */
  readBy(roots: readonly Expr[]): void {
    const names = new Set(roots.flatMap((root) => [...exprVariables(root).keys()]));
    this.#read = new Set(this.statistics.map((_, position) => position).filter((p) => names.has(`stat${p}`)));
  }

  /** Whether the A element reads statistic `position` (all, before {@link MatmulRowStatistics.readBy}). */
  isRead(position: number): boolean {
    return this.#read === undefined || this.#read.has(position);
  }

  /** Positions of the statistics the A element reads. */
  readPositions(): number[] {
    return this.statistics.map((_, position) => position).filter((position) => this.isRead(position));
  }

  /** Reduction nodes bound to their statistic variables, for an {@link ElementComposer}. */
  bindings(): [Node, Expr][] {
    return this.statistics.map((statistic) => [statistic.node, statistic.result]);
  }

  /** Render variables of the statistics (`stat<position>` printed as itself). */
  variables(): Record<string, string> {
    return Object.fromEntries(this.statistics.map((_, position) => [`stat${position}`, `stat${position}`]));
  }

  /** Bytes of workgroup memory the statistics need. */
  workgroupBytes(rows: number, lanes: number): number {
    return this.statistics.length === 0 ? 0 : (rows * lanes + rows * this.readPositions().length) * 4;
  }

  /**
   * Statements computing the statistics of rows `m = first + 0..rows-1` into workgroup memory
   * (`row_stat<position>`), ending with a barrier. `rowElement(operand)` is the operand's element
   * at row `m`, column `k`; `bounds` tests `m`, `columns` is K's i32 text.
   */
  lines(
    context: KernelContext,
    composer: ElementComposer,
    settings: {
      readonly first: string;
      readonly rows: number;
      readonly lanes: number;
      readonly columns: string;
      readonly bounds: string;
      readonly rowIndex: (operand: Node) => Expr[];
      readonly variables: Readonly<Record<string, string>>;
    },
  ): string[] {
    if (this.statistics.length === 0) return [];
    const { rows, lanes, columns } = settings;
    const accumulator: DType = 'f32';
    context.workgroupArray('row_partial', accumulator, rows * lanes);
    const block = [
      `let stat_row = i32(local_index / ${lanes}u);`,
      `let stat_lane = i32(local_index % ${lanes}u);`,
      `let m = ${settings.first} + stat_row;`,
    ];
    this.statistics.forEach((statistic, position) => {
      const type = wgslType(statistic.node.dtype);
      if (statistic.fn === 'row') {
        const rendered = context.render(
          [composer.lowered(statistic.node, rowIndexOf(statistic.node))],
          { ...settings.variables, ...this.variables() },
          `s${position}_`,
        );
        block.push(
          '',
          `// per-row value (${describe(statistic.node)})`,
          ...rendered.lines,
          `let stat${position}: ${type} = ${rendered.values[0]!};`,
          ...this.#keep(context, position, type, rows),
        );
        return;
      }
      const operand = statistic.node.inputs[0]!;
      const element = composer.element(operand, settings.rowIndex(operand));
      const rendered = context.render(
        [element],
        { ...settings.variables, ...this.variables() },
        `s${position}_`,
      );
      const combine = statistic.fn === 'mean' ? 'sum' : statistic.fn;
      const identity = this.identity(context, combine, accumulator);
      const partial = `partial${position}`;
      const value = element.dtype === accumulator ? rendered.values[0]! : `f32(${rendered.values[0]!})`;
      const terms = Array.from({ length: lanes }, (_, lane) =>
        lane === 0 ? `row_partial[stat_row * ${lanes}]` : `row_partial[stat_row * ${lanes} + ${lane}]`,
      );
      const sum = terms.reduce((sum, next) => combineText(combine, sum, next));
      // Four lanes or more are combined in a loop: one line of them would be too long to read.
      const total =
        lanes < 4
          ? [`let total${position} = ${sum};`]
          : [
              `var total${position} = row_partial[stat_row * ${lanes}];`,
              `for (var lane = 1; lane < ${lanes}; lane++) {`,
              `  total${position} = ${combineText(combine, `total${position}`, `row_partial[stat_row * ${lanes} + lane]`)};`,
              '}',
            ];
      const finished = statistic.fn === 'mean' ? `total${position} / f32(${columns})` : `total${position}`;
      block.push(
        '',
        `// ${statistic.fn} over the row (${describe(statistic.node)})`,
        `var ${partial}: f32 = ${identity};`,
        `if (${settings.bounds}) {`,
        `  for (var k = stat_lane; k < ${columns}; k += ${lanes}) {`,
        ...indent(rendered.lines, 2),
        `    ${partial} = ${combineText(combine, partial, value)};`,
        '  }',
        '}',
        `row_partial[local_index] = ${partial};`,
        'workgroupBarrier();',
        ...total,
        'workgroupBarrier();',
        `let stat${position}: ${type} = ${type === 'f32' ? finished : `${type}(${finished})`};`,
        ...this.#keep(context, position, type, rows),
      );
    });
    return [
      `// Row statistics of A over K (matmul prologue), ${lanes} invocations per row of the block`,
      '{',
      ...indent(block),
      '}',
      'workgroupBarrier();',
    ];
  }

  /**
   * Statements computing, in one invocation, the statistics of each row `rows[r]` (i32 WGSL texts)
   * into `stat<position>_row<r>` ({@link MatmulRowStatistics.rowVariables}), all rows in one pass
   * over K per statistic. `rowIndex(operand)` is the operand's index at row `m`, column `k`.
   */
  blockLines(
    context: KernelContext,
    composer: ElementComposer,
    settings: {
      readonly rows: readonly string[];
      readonly columns: string;
      readonly rowIndex: (operand: Node) => Expr[];
      readonly variables: Readonly<Record<string, string>>;
    },
  ): string[] {
    const { rows, columns } = settings;
    const accumulator: DType = 'f32';
    const lines: string[] = [];
    this.statistics.forEach((statistic, position) => {
      if (statistic.fn === 'row') {
        lines.push(`// per-row value (${describe(statistic.node)})`);
        rows.forEach((row, index) => {
          const rendered = context.render(
            [composer.lowered(statistic.node, rowIndexOf(statistic.node))],
            { ...settings.variables, m: row, ...this.rowVariables(index) },
            `s${position}_r${index}_`,
          );
          lines.push(...rendered.lines, `let stat${position}_row${index} = ${rendered.values[0]!};`);
        });
        return;
      }
      const operand = statistic.node.inputs[0]!;
      const element = composer.element(operand, settings.rowIndex(operand));
      const combine = statistic.fn === 'mean' ? 'sum' : statistic.fn;
      const identity = this.identity(context, combine, accumulator);
      const type = wgslType(statistic.node.dtype);
      const partial = (row: number) => `partial${position}_row${row}`;
      const loop = rows.flatMap((row, index) => {
        const rendered = context.render(
          [element],
          { ...settings.variables, m: row, k: 'k', ...this.rowVariables(index) },
          `s${position}_r${index}_`,
        );
        const value = element.dtype === accumulator ? rendered.values[0]! : `f32(${rendered.values[0]!})`;
        return [...rendered.lines, `${partial(index)} = ${combineText(combine, partial(index), value)};`];
      });
      lines.push(
        `// ${statistic.fn} over each row of the block (${describe(statistic.node)})`,
        ...rows.map((_, index) => `var ${partial(index)}: f32 = ${identity};`),
        `for (var k = 0; k < ${columns}; k++) {`,
        ...indent(loop),
        '}',
        ...rows.map((_, index) => {
          const finished = statistic.fn === 'mean' ? `${partial(index)} / f32(${columns})` : partial(index);
          return `let stat${position}_row${index}: ${type} = ${type === 'f32' ? finished : `${type}(${finished})`};`;
        }),
      );
    });
    return lines;
  }

  /** Render variables naming the statistics of block row `row` (`stat<position>_row<row>`). */
  rowVariables(row: number): Record<string, string> {
    return Object.fromEntries(
      this.statistics.map((_, position) => [`stat${position}`, `stat${position}_row${row}`]),
    );
  }

  /** Statements bringing the statistics of block row `row` (i32 text) that the A element reads into scope as `stat<position>`. */
  loadLines(row: string): string[] {
    return this.readPositions().map((position) => `let stat${position} = row_stat${position}[${row}];`);
  }

  /** Statements keeping statistic `position` of the row in workgroup memory, when the A element reads it. */
  #keep(context: KernelContext, position: number, type: string, rows: number): string[] {
    if (!this.isRead(position)) return [];
    context.workgroupArray(`row_stat${position}`, type, rows);
    return ['if (stat_lane == 0) {', `  row_stat${position}[stat_row] = stat${position};`, '}'];
  }

  private identity(context: KernelContext, combine: string, accumulator: DType): string {
    const helpers = new Set<string>();
    const value = combine === 'sum' ? 0 : combine === 'max' ? -Infinity : Infinity;
    const text = formatLiteral(value, accumulatorType(accumulator), helpers);
    for (const helper of helpers) context.helpers.add(helper);
    return text;
  }
}

/** An index of `node` (per-row: it reads only statistics and literals, so any index will do). */
function rowIndexOf(node: Node): Expr[] {
  return node.shape.map(() => constant(0, 'i32'));
}

function combineText(combine: string, a: string, b: string): string {
  return combine === 'sum' ? `${a} + ${b}` : `${combine}(${a}, ${b})`;
}
