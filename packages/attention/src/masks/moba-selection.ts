import {
  constant,
  type Expr,
  mapElements,
  matmul,
  max,
  type Node,
  read,
  reshape,
  SpecError,
  select,
  variable,
} from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkOneOf, checkOptions, checkSize, describeValue } from '../spec/validate.js';
import { blockMean, perQueryHead, staticShape4 } from './block-pooling.js';
import { BLOCK_TABLE_MULTIPLE, blockTableMask, type TableSource } from './block-table.js';
import type { Mask } from './mask.js';
import { EXCLUDED_SCORE, topKKeep } from './top-k-keep.js';

/** Options of {@link mobaSelection}. */
export interface MobaSelectionOptions {
  /** Positions per block (MoBA's `moba_chunk_size`): a multiple of {@link BLOCK_TABLE_MULTIPLE}. */
  readonly blockSize: number;
  /** Blocks each query attends to, its own block included (`moba_topk`; fewer where fewer exist). */
  readonly topK: number;
  /**
   * Who is routed: `token` (default, the paper) scores q_i·k̄_b for every query token; `block`
   * scores the query block's mean query q̄_c·k̄_b, so all queries of a block share their blocks (a
   * block-level simplification of MoBA, not the paper's routing).
   */
  readonly gate?: 'token' | 'block';
  /** Prefix of the names the tables are bound under (`${name}.table`, `${name}.tokens`). Default `moba`. */
  readonly name?: string;
}

/** The tables {@link mobaBlockTables} builds. */
export interface MobaBlockTables {
  /** Block table `[batch, heads, blocks, blocks]` i32 (1 where a query of the block keeps the key block). */
  readonly table: Node;
  /** Per-query selection `[batch, heads, queries, blocks]` i32 (`gate: 'token'` only). */
  readonly tokens?: Node;
}

/**
 * MoBA's block routing (Lu et al. 2025, catalog #115) as an attention mask: keys are mean-pooled per
 * block (k̄_b), each query scores the blocks, s_ib = q_i·k̄_b (unscaled), blocks after the query's own
 * get −∞, its own block +∞, and the `topK` highest are kept (ties at the k-th score kept too, as
 * MoBA's `gate >= min(topk)`). The mask builds its block table itself, with graph ops on the device
 * before the attention kernel (see {@link mobaBlockTables}), from the attention's own query and key
 * (after RoPE: a spec with RoPE or QK norm applies them as ops first); the fused kernel reads the
 * table and skips every key tile no query of its block selected. Combined with `causal()` it is
 * MoBA's mask, selected blocks ∩ token-causal. Self-attention prefill, N a multiple of the block size.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 1024, 64]));
 * const spec = attention({ heads: 4, headDim: 64, mask: and(causal(), mobaSelection({ blockSize: 64, topK: 2 })) });
 * const { output } = applyAttention(spec, { query: q!, key: k!, value: v! }); // the table is built inside
 * ```
 */
export function mobaSelection(options: MobaSelectionOptions): Mask {
  const { size, topK, gate, name } = checkMobaOptions(options);
  const tableName = `${name}.table`;
  const tokensName = `${name}.tokens`;
  const source = (tensor: string): TableSource => ({
    name: tensor,
    at: (row, column) => read(tensor, [I.b, I.h, row, column], 'i32'),
  });
  const build = (pick: 'table' | 'tokens') => (inputs: { query: Node; key: Node }) => {
    const tables = mobaBlockTables(inputs.query, inputs.key, { blockSize: size, topK, gate });
    return pick === 'table' ? tables.table : tables.tokens!;
  };
  return blockTableMask(size, source(tableName), gate === 'token' ? source(tokensName) : undefined, {
    derived: [
      { name: tableName, build: build('table') },
      ...(gate === 'token' ? [{ name: tokensName, build: build('tokens') }] : []),
    ],
  });
}

/**
 * The graph ops of {@link mobaSelection}: MoBA's block table (and per-query selection) from `query`
 * `[batch, heads, N, d]` and `key` `[batch, kvHeads, N, d]`, N a multiple of the block size. For a
 * table bound by hand (`blockTable`), or read back to inspect the routing.
 *
 * @example
 * ```ts
 * const q = input('q', [1, 4, 1024, 64]);
 * const k = input('k', [1, 4, 1024, 64]);
 * const { table, tokens } = mobaBlockTables(q, k, { blockSize: 64, topK: 2 });
 * const mask = blockTable(tensorRef('table', [1, 4, 16, 16], 'i32'), { blockSize: 64, tokens: tensorRef('tokens', [1, 4, 1024, 16], 'i32') });
 * ```
 */
export function mobaBlockTables(query: Node, key: Node, options: MobaSelectionOptions): MobaBlockTables {
  const { size, topK, gate } = checkMobaOptions(options);
  const [batch, heads, length, headDim] = staticShape4('mobaSelection', query, 'the query');
  const [keyBatch, kvHeads, keys] = staticShape4('mobaSelection', key, 'the key');
  if (keyBatch !== batch || keys !== length || heads % kvHeads !== 0 || key.shape[3] !== headDim)
    throw new SpecError('mobaSelection: the key must be [batch, kvHeads, N, headDim] like the query', {
      tensor: 'key',
      expected: `[${batch}, a divisor of ${heads}, ${length}, ${headDim}]`,
      actual: `[${key.shape.join(', ')}]`,
    });
  if (length % size !== 0)
    throw new SpecError(`mobaSelection: the block size ${size} must divide the sequence`, {
      tensor: 'query',
      dimension: 2,
      expected: `N a multiple of ${size}`,
      actual: length,
    });
  const blocks = length / size;
  const pooledKeys = perQueryHead(blockMean(key, size), heads);
  // Gates [batch, heads, rows, blocks]: rows are query tokens, or query blocks (their mean query).
  const rows = gate === 'token' ? query : blockMean(query, size);
  const rowBlock = (row: Expr) => (gate === 'token' ? row.div(constant(size, 'i32')) : row);
  const column = variable('i3', 'i32');
  const own = rowBlock(variable('i2', 'i32'));
  const gates = mapElements(
    [matmul(rows, pooledKeys, { transposeB: true })],
    select(
      column.eq(own),
      constant(EXCLUDED_SCORE),
      select(column.gt(own), constant(-EXCLUDED_SCORE), variable('$0', 'f32')),
    ),
  );
  const selected = topKKeep(gates, topK);
  if (gate === 'block') return { table: selected };
  // A query block keeps a key block where any of its queries does.
  return { table: max(reshape(selected, [batch, heads, blocks, size, blocks]), 3), tokens: selected };
}

function checkMobaOptions(options: MobaSelectionOptions) {
  checkOptions('mobaSelection', options, ['blockSize', 'topK', 'gate', 'name'], true);
  const size = checkSize('mobaSelection', 'option "blockSize"', options.blockSize);
  const topK = checkSize('mobaSelection', 'option "topK"', options.topK);
  const gate = checkOneOf('mobaSelection', 'option "gate"', options.gate ?? 'token', ['token', 'block']);
  const name = options.name ?? 'moba';
  if (typeof name !== 'string' || name === '')
    throw new SpecError('mobaSelection: option "name" must be a non-empty string', {
      actual: describeValue(name),
    });
  if (size % BLOCK_TABLE_MULTIPLE !== 0)
    throw new SpecError(
      `mobaSelection: blockSize must be a multiple of the attention kernel's tile (${BLOCK_TABLE_MULTIPLE})`,
      {
        expected: `a multiple of ${BLOCK_TABLE_MULTIPLE}`,
        actual: size,
      },
    );
  return { size, topK, gate, name };
}
