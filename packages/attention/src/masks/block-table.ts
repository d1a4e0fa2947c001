import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { QUERY_BLOCK } from '../query-block.js';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import type { AxisRole } from '../spec/tensor-use.js';
import { checkOptions, checkSize, checkTensorRef, describeValue } from '../spec/validate.js';
import { type MakeMaskOptions, type Mask, makeMask } from './mask.js';

/**
 * The block sizes a block table may use: multiples of the attention kernel's largest tile (32
 * queries, at most 32 keys per key tile on every adapter), so that each tile of the kernel lies in
 * one block on every adapter and its table entry classifies it.
 */
export const BLOCK_TABLE_MULTIPLE = QUERY_BLOCK;

/** Options of {@link blockTable}. */
export interface BlockTableOptions {
  /** Positions per block, queries and keys alike: a multiple of {@link BLOCK_TABLE_MULTIPLE}. */
  readonly blockSize: number;
  /**
   * A per-query selection `[batch | 1, heads | 1, queries, keyBlocks]` (MoBA routes each query
   * token): query q keeps key k where `tokens[b, h, q, ⌊k/blockSize⌋]` is non-zero. The table must
   * then be its union over each query block (a block entry non-zero where any of its queries keeps
   * the key block); the kernel reads the table to skip key tiles and the tokens inside the rest.
   */
  readonly tokens?: TensorRef;
}

/**
 * A block-sparse mask read from a block table computed on the device: `table` is
 * `[batch | 1, heads | 1, queryBlocks, keyBlocks]` (any dtype, non-zero keeps), query q keeps key k
 * where `table[b, h, ⌊q/blockSize⌋, ⌊k/blockSize⌋]` is non-zero (queries count from the first query,
 * as for self-attention prefill). The fused kernel classifies each key tile from its table entry
 * before loading it: a tile whose entry is zero is skipped (no K or V load), one whose entry is
 * non-zero runs without the predicate (with `tokens`, the per-query selection runs inside it).
 * Combine with {@link causal} for causal block-sparse attention; build the table with
 * `mobaSelection` or any graph ops.
 *
 * @example
 * ```ts
 * const table = tensorRef('table', [1, 4, 32, 32], 'i32'); // N = 1024, blocks of 32
 * attention({ heads: 4, headDim: 64, mask: and(causal(), blockTable(table, { blockSize: 32 })) });
 * ```
 */
export function blockTable(table: TensorRef, options: BlockTableOptions): Mask {
  checkTensorRef('blockTable', 'the table', table);
  checkOptions('blockTable', options, ['blockSize', 'tokens']);
  const size = checkSize('blockTable', 'option "blockSize"', options?.blockSize);
  if (size % BLOCK_TABLE_MULTIPLE !== 0)
    throw new SpecError(
      `blockTable: blockSize must be a multiple of the attention kernel's tile (${BLOCK_TABLE_MULTIPLE})`,
      { tensor: table.name, expected: `a multiple of ${BLOCK_TABLE_MULTIPLE}`, actual: describeValue(size) },
    );
  checkRank4(table, 'the table');
  const tokens = options.tokens;
  if (tokens !== undefined) {
    checkTensorRef('blockTable', 'option "tokens"', tokens);
    checkRank4(tokens, 'the token selection');
    if (tokens.shape[3] !== table.shape[3])
      throw new SpecError('blockTable: the token selection and the table count different key blocks', {
        tensor: tokens.name,
        dimension: 3,
        expected: table.shape[3],
        actual: tokens.shape[3],
      });
  }
  const source = (ref: TensorRef): TableSource => ({
    name: ref.name,
    at: (row, column) => ref.at(...leading(ref), row, column),
  });
  return blockTableMask(size, source(table), tokens === undefined ? undefined : source(tokens), {
    roles: {
      [table.name]: roles(table, table.shape[2]!, table.shape[3]!),
      ...(tokens === undefined ? {} : { [tokens.name]: roles(tokens, 'queries', tokens.shape[3]!) }),
    },
  });
}

/** A table a block-sparse mask reads: its name and its element at (row, key block) for the current b, h. */
export interface TableSource {
  /** Name the tensor is bound under. */
  readonly name: string;
  /** Element (row, column) of the current batch and head. */
  at(row: Expr, column: Expr): Expr;
}

/**
 * The mask of {@link blockTable} over any table source (a captured tensor, or one the mask derives
 * itself). `options` go to `makeMask` (roles, derived tensors).
 */
export function blockTableMask(
  size: number,
  table: TableSource,
  tokens: TableSource | undefined,
  options: MakeMaskOptions,
): Mask {
  const s = constant(size, 'i32');
  const block = (index: Expr) => index.div(s);
  const nonZero = (value: Expr) => (value.dtype === 'bool' ? value : value.ne(0));
  const predicate = nonZero(
    tokens === undefined ? table.at(block(I.q), block(I.k)) : tokens.at(I.q, block(I.k)),
  );
  // A tile spanning two blocks (a tiling that does not divide the block size) stays partial.
  const inOneBlock = block(B.queryStart)
    .eq(block(B.queryEnd))
    .and(block(B.keyStart).eq(block(B.keyEnd)));
  const kept = nonZero(table.at(block(B.queryStart), block(B.keyStart)));
  const description = `blockTable(${table.name}, ${size}${tokens === undefined ? '' : `, tokens ${tokens.name}`})`;
  return makeMask(
    description,
    predicate,
    {
      empty: inOneBlock.and(kept.not()),
      // With a per-query selection a kept block may still drop some queries' keys: never full.
      full: tokens === undefined ? inOneBlock.and(kept) : constant(0, 'bool'),
    },
    { ...options, listsTiles: true },
  );
}

/** Batch and head indices of a `[batch | 1, heads | 1, …]` tensor (size-1 axes broadcast). */
function leading(ref: TensorRef): Expr[] {
  const zero = constant(0, 'i32');
  return [ref.shape[0] === 1 ? zero : I.b, ref.shape[1] === 1 ? zero : I.h];
}

function roles(ref: TensorRef, rows: AxisRole, columns: AxisRole): readonly AxisRole[] {
  return [ref.shape[0] === 1 ? 'one' : 'batch', ref.shape[1] === 1 ? 'one' : 'heads', rows, columns];
}

function checkRank4(ref: TensorRef, what: string): void {
  if (ref.shape.length !== 4)
    throw new SpecError(`blockTable: ${what} must be [batch, heads, rows, keyBlocks]`, {
      tensor: ref.name,
      expected: 'rank 4',
      actual: `rank ${ref.shape.length}`,
    });
}
