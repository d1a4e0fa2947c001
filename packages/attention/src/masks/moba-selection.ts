import {
  broadcastTo,
  constant,
  type Expr,
  isSymbolic,
  mapElements,
  matmul,
  max,
  mean,
  type Node,
  reshape,
  SpecError,
  select,
  slice,
  type TensorRef,
  tensorRef,
  topk,
  variable,
} from '@weft/ir';
import { checkOneOf, checkOptions, checkSize, describeValue } from '../spec/validate.js';
import { BLOCK_TABLE_MULTIPLE, blockTable } from './block-table.js';
import type { Mask } from './mask.js';

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

/** What {@link mobaSelection} builds: the mask to put in the spec and the tensors to bind. */
export interface MobaSelection {
  /** `blockTable(…)` over the selection; combine it with `causal()`. */
  readonly mask: Mask;
  /** The table nodes by the names the mask reads: pass as `applyAttention`'s `inputs.tensors`. */
  readonly tensors: Readonly<Record<string, Node>>;
  /** Block table `[batch, heads, blocks, blocks]` i32 (1 where a query of the block keeps the key block). */
  readonly table: Node;
  /** Per-query selection `[batch, heads, queries, blocks]` i32 (`gate: 'token'` only). */
  readonly tokens?: Node;
}

/** A gate no block reaches: the own block is forced in with +BIG, future blocks out with −BIG. */
const BIG = 3e38;

/**
 * MoBA's block routing (Lu et al. 2025, catalog #115) as graph ops that run on the device before the
 * attention kernel: keys are mean-pooled per block (k̄_b), each query scores the blocks, s_ib = q_i·k̄_b
 * (unscaled), blocks after the query's own get −∞, its own block +∞, and the `topK` highest are kept
 * (ties at the k-th score kept too, as MoBA's `gate >= min(topk)`). The result is a block table
 * (`blockTable`) that the fused kernel reads to skip every key tile no query of its block selected;
 * combined with `causal()` it is MoBA's mask, selected blocks ∩ token-causal. Self-attention prefill:
 * `query` `[batch, heads, N, d]`, `key` `[batch, kvHeads, N, d]` with N a multiple of the block size.
 *
 * @example
 * ```ts
 * const moba = mobaSelection(q, k, { blockSize: 64, topK: 2 });
 * const spec = attention({ heads: 4, headDim: 64, mask: and(causal(), moba.mask) });
 * const { output } = applyAttention(spec, { query: q, key: k, value: v, tensors: moba.tensors });
 * ```
 */
export function mobaSelection(query: Node, key: Node, options: MobaSelectionOptions): MobaSelection {
  checkOptions('mobaSelection', options, ['blockSize', 'topK', 'gate', 'name'], true);
  const size = checkSize('mobaSelection', 'option "blockSize"', options.blockSize);
  const topK = checkSize('mobaSelection', 'option "topK"', options.topK);
  const gate = checkOneOf('mobaSelection', 'option "gate"', options.gate ?? 'token', ['token', 'block']);
  const name = options.name ?? 'moba';
  if (typeof name !== 'string' || name === '')
    throw new SpecError('mobaSelection: option "name" must be a non-empty string', {
      actual: describeValue(name),
    });
  const [batch, heads, length, headDim] = shapeOf(query, 'the query');
  const [keyBatch, kvHeads, keys] = shapeOf(key, 'the key');
  if (keyBatch !== batch || keys !== length || heads % kvHeads !== 0 || key.shape[3] !== headDim)
    throw new SpecError('mobaSelection: the key must be [batch, kvHeads, N, headDim] like the query', {
      tensor: 'key',
      expected: `[${batch}, a divisor of ${heads}, ${length}, ${headDim}]`,
      actual: `[${key.shape.join(', ')}]`,
    });
  if (size % BLOCK_TABLE_MULTIPLE !== 0 || length % size !== 0)
    throw new SpecError(
      `mobaSelection: blockSize must be a multiple of ${BLOCK_TABLE_MULTIPLE} that divides the sequence`,
      { tensor: 'query', dimension: 2, expected: `N = ${length} a multiple of blockSize`, actual: size },
    );
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
      constant(BIG),
      select(column.gt(own), constant(-BIG), variable('$0', 'f32')),
    ),
  );
  const k = Math.min(topK, blocks);
  const kth = slice(topk(gates, k).values, [0, 0, 0, k - 1], [batch, heads, rows.shape[2] as number, k]);
  const selected = mapElements(
    [gates, kth],
    select(
      variable('$0', 'f32').ge(variable('$1', 'f32')).and(variable('$0', 'f32').gt(constant(-BIG))),
      constant(1, 'i32'),
      constant(0, 'i32'),
    ),
  );
  const tableName = `${name}.table`;
  const tableRef = tensorRef(tableName, [batch, heads, blocks, blocks], 'i32');
  if (gate === 'block') {
    return {
      mask: blockTable(tableRef, { blockSize: size }),
      tensors: { [tableName]: selected },
      table: selected,
    };
  }
  // A query block keeps a key block where any of its queries does.
  const table = max(reshape(selected, [batch, heads, blocks, size, blocks]), 3);
  const tokensName = `${name}.tokens`;
  const tokensRef: TensorRef = tensorRef(tokensName, [batch, heads, length, blocks], 'i32');
  return {
    mask: blockTable(tableRef, { blockSize: size, tokens: tokensRef }),
    tensors: { [tableName]: table, [tokensName]: selected },
    table,
    tokens: selected,
  };
}

/** Mean of each block of `size` rows: `[b, h, N, d]` → `[b, h, N/size, d]`. */
function blockMean(x: Node, size: number): Node {
  const [batch, heads, length, dim] = x.shape as number[];
  return mean(reshape(x, [batch!, heads!, length! / size, size, dim!]), 3);
}

/** Pooled keys of the KV heads, repeated for the query heads of each group (GQA). */
function perQueryHead(pooled: Node, heads: number): Node {
  const [batch, kvHeads, blocks, dim] = pooled.shape as number[];
  if (kvHeads === heads) return pooled;
  const group = heads / kvHeads!;
  const repeated = broadcastTo(reshape(pooled, [batch!, kvHeads!, 1, blocks!, dim!]), [
    batch!,
    kvHeads!,
    group,
    blocks!,
    dim!,
  ]);
  return reshape(repeated, [batch!, heads, blocks!, dim!]);
}

function shapeOf(node: Node, what: string): [number, number, number, number] {
  if (node.rank !== 4)
    throw new SpecError(`mobaSelection: ${what} must be [batch, heads, N, headDim]`, {
      expected: 'rank 4',
      actual: `rank ${node.rank}`,
    });
  return node.shape.map((dim, axis) => {
    if (!isSymbolic(dim)) return dim;
    throw new SpecError(`mobaSelection: ${what} needs static sizes`, {
      tensor: what,
      dimension: axis,
      expected: 'a static dim',
      actual: `symbolic dim ${dim.name}`,
    });
  }) as [number, number, number, number];
}
