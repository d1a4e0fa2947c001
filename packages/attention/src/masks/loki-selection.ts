import {
  broadcastTo,
  constant,
  isSymbolic,
  mapElements,
  matmul,
  type Node,
  read,
  reshape,
  SpecError,
  select,
  variable,
} from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkOptions, checkSize, describeValue } from '../spec/validate.js';
import { BLOCK_TABLE_MULTIPLE, blockTableMask } from './block-table.js';
import { type Mask, makeMask, UNKNOWN_BLOCK_RULE } from './mask.js';
import { maskTileTable } from './mask-tiles.js';
import { EXCLUDED_SCORE, topKKeep } from './top-k-keep.js';

/** Options of {@link lokiSelection}. */
export interface LokiSelectionOptions {
  /**
   * The leading `r` principal directions of the keys, `[headDim, r]` (shared by the heads) or
   * `[heads, headDim, r]`: the first r columns of Loki's PCA basis P (computed offline from
   * calibration keys; orthonormal columns sorted by variance).
   */
  readonly projection: Node;
  /** Keys each query keeps (Loki's k = k_f·S; all its causal keys where fewer exist). */
  readonly topK: number;
  /** Prefix of the names the selection is bound under (`${name}.keep`, `${name}.keep.tiles`). Default `loki`. */
  readonly name?: string;
}

/**
 * Loki's key selection (Singhania et al. 2024, catalog #59) as an attention mask: approximate
 * scores ŝ_ij = (q_i P_r)·(k_j P_r) in the r leading principal directions of the keys, the `topK`
 * highest among the keys j ≤ i kept per query (ties at the k-th score kept too), then exact
 * attention over the kept keys (combine with `causal()`; P orthogonal makes the full-dimension
 * score q·k itself). The selection `[batch, heads, N, N]` is built by graph ops on the device before
 * the attention kernel, and pooled into a table of 32 × 32 tiles so the kernel skips tiles no query
 * keeps. Self-attention prefill, after RoPE (the spec applies RoPE as ops first).
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 1024, 64])) as [Node, Node, Node];
 * const projection = input('pca', [64, 16]); // 16 leading principal directions of the keys
 * const mask = and(causal(), lokiSelection({ projection, topK: 256 }));
 * const { output } = applyAttention(attention({ heads: 4, headDim: 64, mask }), { query: q, key: k, value: v });
 * ```
 */
export function lokiSelection(options: LokiSelectionOptions): Mask {
  const { topK, name, projection } = checkLokiOptions(options);
  const keepName = `${name}.keep`;
  const tilesName = `${keepName}.tiles`;
  const keep = (inputs: { query: Node; key: Node }) =>
    lokiKeySelection(inputs.query, inputs.key, { projection, topK });
  const predicate = read(keepName, [I.b, I.h, I.q, I.k], 'i32').ne(0);
  const tiles = blockTableMask(
    BLOCK_TABLE_MULTIPLE,
    { name: tilesName, at: (row, column) => read(tilesName, [I.b, I.h, row, column], 'i32') },
    undefined,
    {},
  );
  return makeMask(
    `lokiSelection(${name}, top ${topK})`,
    predicate,
    { empty: tiles.blockRule.empty, full: UNKNOWN_BLOCK_RULE.full },
    {
      listsTiles: true,
      derived: [
        { name: keepName, build: keep },
        { name: tilesName, build: (inputs) => maskTileTable(keep(inputs), BLOCK_TABLE_MULTIPLE) },
      ],
    },
  );
}

/**
 * The graph ops of {@link lokiSelection}: from `query` and `key` `[batch, heads, N, headDim]`, the
 * `[batch, heads, N, N]` i32 selection (1 where query i keeps key j).
 *
 * @example
 * ```ts
 * const q = input('q', [1, 4, 1024, 64]);
 * const k = input('k', [1, 4, 1024, 64]);
 * const keep = lokiKeySelection(q, k, { projection: input('pca', [64, 16]), topK: 256 });
 * ```
 */
export function lokiKeySelection(query: Node, key: Node, options: LokiSelectionOptions): Node {
  const { topK, projection } = checkLokiOptions(options);
  const [batch, heads, length, headDim] = staticShape(query, 'the query') as [number, number, number, number];
  const keyShape = staticShape(key, 'the key');
  if (keyShape.join() !== [batch, heads, length, headDim].join())
    throw new SpecError('lokiSelection: the key must be [batch, heads, N, headDim] like the query', {
      tensor: 'key',
      expected: `[${batch}, ${heads}, ${length}, ${headDim}]`,
      actual: `[${keyShape.join(', ')}]`,
    });
  const basis = perHead(projection, batch, heads, headDim);
  // ŝ = (q P_r)(k P_r)ᵀ: scores in the r leading principal directions.
  const approximate = matmul(matmul(query, basis), matmul(key, basis), { transposeB: true });
  const column = variable('i3', 'i32');
  const row = variable('i2', 'i32');
  const scores = mapElements(
    [approximate],
    select(column.gt(row), constant(-EXCLUDED_SCORE), variable('$0', 'f32')),
  );
  return topKKeep(scores, topK);
}

/** The projection as `[batch, heads, headDim, r]`. */
function perHead(projection: Node, batch: number, heads: number, headDim: number): Node {
  const shape = staticShape(projection, 'the projection', [2, 3]);
  const rank = shape[shape.length - 1]!;
  const rows = shape[shape.length - 2]!;
  const projectionHeads = shape.length === 3 ? shape[0]! : 1;
  if (rows !== headDim || (shape.length === 3 && projectionHeads !== heads) || rank > headDim)
    throw new SpecError(
      'lokiSelection: the projection must be [headDim, r] or [heads, headDim, r], r ≤ headDim',
      {
        tensor: 'projection',
        expected: `[${headDim}, r] or [${heads}, ${headDim}, r]`,
        actual: `[${shape.join(', ')}]`,
      },
    );
  return broadcastTo(reshape(projection, [1, projectionHeads, headDim, rank]), [batch, heads, headDim, rank]);
}

function checkLokiOptions(options: LokiSelectionOptions) {
  checkOptions('lokiSelection', options, ['projection', 'topK', 'name'], true);
  const topK = checkSize('lokiSelection', 'option "topK"', options.topK);
  const name = options.name ?? 'loki';
  if (typeof name !== 'string' || name === '')
    throw new SpecError('lokiSelection: option "name" must be a non-empty string', {
      actual: describeValue(name),
    });
  const projection = options.projection;
  if (typeof projection !== 'object' || projection === null || !Array.isArray(projection.shape))
    throw new SpecError('lokiSelection: option "projection" must be a graph node [headDim, r]', {
      actual: describeValue(projection),
    });
  return { topK, name, projection };
}

function staticShape(node: Node, what: string, ranks: readonly number[] = [4]): number[] {
  if (!ranks.includes(node.rank))
    throw new SpecError(`lokiSelection: ${what} has the wrong rank`, {
      tensor: what,
      expected: `rank ${ranks.join(' or ')}`,
      actual: `rank ${node.rank}`,
    });
  return node.shape.map((dim, axis) => {
    if (!isSymbolic(dim)) return dim;
    throw new SpecError(`lokiSelection: ${what} needs static sizes`, {
      tensor: what,
      dimension: axis,
      expected: 'a static dim',
      actual: `symbolic dim ${dim.name}`,
    });
  });
}
