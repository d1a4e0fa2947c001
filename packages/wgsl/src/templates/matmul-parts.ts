import type { Expr, Node, Shape } from '@weft/ir';
import type { ElementComposer } from '../element-composer.js';
import type { KernelContext } from '../kernel-context.js';
import type { MatmulRowStatistics } from './matmul-prologue.js';

/** One operand element rendered for a matmul body. */
export interface OperandElement {
  /** `let` statements computing it. */
  readonly lines: readonly string[];
  /** Its value as f32 WGSL text. */
  readonly value: string;
  /** Statements storing the prologue outputs at this element (A only; empty for B). */
  readonly stores: readonly string[];
}

/** What the matmul variants share: the rendered operands, sizes and the output store. */
export interface MatmulParts {
  /** The kernel being generated. */
  readonly context: KernelContext;
  /** Composes fused elements (the matmul bound to `acc`, statistics to `stat<position>`). */
  readonly composer: ElementComposer;
  /** Row statistics of A's prologue. */
  readonly statistics: MatmulRowStatistics;
  /** The left operand. */
  readonly a: Node;
  /** The right operand. */
  readonly b: Node;
  /** Whether A is read transposed. */
  readonly transposeA: boolean;
  /** Whether B is read transposed. */
  readonly transposeB: boolean;
  /** Rows of the output (i32 WGSL text). */
  readonly rows: string;
  /** Columns of the output (i32 WGSL text). */
  readonly columns: string;
  /** The reduced dim K (i32 WGSL text). */
  readonly depth: string;
  /** Number of matrices in the batch (i32 WGSL text). */
  readonly batchCount: string;
  /** The output's batch dims. */
  readonly batchShape: Shape;
  /** Render variables of the batch indices (`b<axis>`). */
  readonly batchVariables: Readonly<Record<string, string>>;
  /** Index of operand row `m`, column `k` (non-transposed A layout) for row statistics. */
  rowIndex(operand: Node): Expr[];
  /**
   * A's element at row `m`, column `k` (i32 WGSL texts); `statistics` renames the row statistics
   * (`stat<position>` to the variable holding this row's).
   */
  aElement(
    m: string,
    k: string,
    prefix: string,
    statistics?: Readonly<Record<string, string>>,
  ): OperandElement;
  /**
   * A's elements at rows `rows`, column `k` (i32 WGSL texts), rendered together so that their
   * shared parts are computed once (the first element carries every `let`); `statistics[r]` renames
   * the row statistics for row r.
   */
  aBlock(
    rows: readonly string[],
    k: string,
    prefix: string,
    statistics: readonly Readonly<Record<string, string>>[],
  ): OperandElement[];
  /** B's element at row `k`, column `n` (i32 WGSL texts). */
  bElement(k: string, n: string, prefix: string): OperandElement;
  /** A statement storing one output block row: four values from column `n0` of row `m`. */
  storeRow(m: string, n0: string, values: string): string;
}
