import { add, constant, type Expr, type Node, reshape, SpecError, tensorRef, withLabel } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { makeMask, UNKNOWN_BLOCK_RULE } from '../masks/mask.js';
import { mergeAttention } from '../merge-attention.js';
import { attention } from '../spec/attention-spec.js';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { scale } from '../spec/score-mods.js';
import { checkNumber, checkOptions, checkSize } from '../spec/validate.js';
import { angularHash, gatherRows, sortOrder, stableSortRanks } from './sort-lsh.js';

/** Options of {@link hyperAttention}. */
export interface HyperAttentionOptions {
  /** Key block of the sorted order (the paper: 256); it must divide Nk, and Nk/blockSize divide Nq. */
  readonly blockSize: number;
  /** sortLSH's random Gaussian projections P `[headDim, r]` (the paper: r = 7), shared by the heads. */
  readonly projections: Node;
  /**
   * The residual's m key indices `[B, H, m]` i32, uniform in [0, Nk) with replacement (the
   * paper's `torch.randint`), indices into the **sorted** keys. Seed them on the host.
   */
  readonly samples: Node;
  /** Score scale (default 1/√headDim). */
  readonly scale?: number;
  /** Block name: labels the kernels and names the bound sample table. Default `hyperAttention`. */
  readonly name?: string;
}

/** What {@link hyperAttention} builds. */
export interface HyperAttentionResult {
  /** The approximate attention `[B, H, Nq, dv]`, rows in the input order. */
  readonly output: Node;
  /** Its row log-sum-exp `[B, H, Nq]` (of the block-diagonal part plus the weighted residual). */
  readonly logSumExp: Node;
  /** The query order of the sort: row p of the sorted queries is query `queryOrder[p]`, `[B, H, Nq]` i32. */
  readonly queryOrder: Node;
  /** The key order of the sort, `[B, H, Nk]` i32. */
  readonly keyOrder: Node;
}

/**
 * HyperAttention's non-causal forward (Han et al. 2023, catalog #18; `forward_no_causal_mask` of
 * its code), all on the device in one program:
 *
 * 1. sortLSH: hash(x) = perm[Σ_b 2^b·1[x·P_b > 0]] (perm the Gray-code order), and a stable sort of
 *    the queries and of the keys by hash (ranks counted pairwise, the rows gathered by the computed
 *    order);
 * 2. exact softmax attention inside the diagonal blocks of the sorted order (key block `blockSize`,
 *    query block Nq/blocks): a block-diagonal mask whose block rule lets the kernel skip every
 *    off-diagonal tile, with the row log-sum-exp in the same pass → (O₁, LSE₁);
 * 3. the residual: every sorted query attends to the m sampled sorted keys, −∞ where the sampled
 *    key lies in the query's own block (it is counted in step 2), LSE₂ += log(Nk/m) → (O₂, LSE₂);
 * 4. `mergeAttention` by log-sum-exp, then the rows put back in the input order.
 *
 * The paper's short-sequence fallback (exact attention below `min_seq_len`) is the caller's choice,
 * and its causal recursion is not built. Throws a `SpecError` naming the option or operand that does
 * not fit.
 *
 * @example
 * ```ts
 * const projections = input('lsh.projections', [64, 7]); // seeded N(0, 1) values
 * const samples = input('hyper.samples', [1, 8, 256], 'i32'); // seeded uniform ints in [0, 4096)
 * const { output } = hyperAttention({ query, key, value }, { blockSize: 256, projections, samples });
 * ```
 */
export function hyperAttention(
  inputs: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: HyperAttentionOptions,
): HyperAttentionResult {
  const builder = 'hyperAttention';
  checkOptions(builder, options, ['blockSize', 'projections', 'samples', 'scale', 'name'], true);
  const name = options.name ?? builder;
  const { query, key, value, projections, samples } = { ...inputs, ...options };
  const fail = (tensor: string, expected: string, actual: unknown): never => {
    throw new SpecError(`${builder}: ${tensor} does not fit`, {
      block: name,
      tensor,
      expected,
      actual: String(actual),
    });
  };
  const shapeOf = (node: Node, tensor: string) => {
    if (node.rank !== 4 || !node.shape.every((dim) => typeof dim === 'number'))
      fail(tensor, 'a static [batch, heads, length, dim]', node.shape.join(', '));
    return node.shape as readonly number[];
  };
  const [batch, heads, queries, dim] = shapeOf(query, 'query') as [number, number, number, number];
  const [, , keys] = shapeOf(key, 'key') as [number, number, number, number];
  const valueShape = shapeOf(value, 'value');
  if (key.shape[0] !== batch || key.shape[1] !== heads || key.shape[3] !== dim)
    fail('key', `[${batch}, ${heads}, Nk, ${dim}] (as the query)`, key.shape.join(', '));
  if (valueShape[0] !== batch || valueShape[1] !== heads || valueShape[2] !== keys)
    fail('value', `[${batch}, ${heads}, ${keys}, dv]`, valueShape.join(', '));
  const blockSize = checkSize(builder, 'option "blockSize"', options.blockSize);
  if (keys % blockSize !== 0) fail('key', `a length that blockSize ${blockSize} divides`, keys);
  const blocks = keys / blockSize;
  if (queries % blocks !== 0) fail('query', `a length that the ${blocks} blocks divide`, queries);
  const queryBlock = queries / blocks;
  if (projections.rank !== 2 || projections.shape[0] !== dim || typeof projections.shape[1] !== 'number')
    fail('projections', `[${dim}, r]`, projections.shape.join(', '));
  if (
    samples.rank !== 3 ||
    samples.shape[0] !== batch ||
    samples.shape[1] !== heads ||
    samples.dtype !== 'i32'
  )
    fail('samples', `[${batch}, ${heads}, m] i32`, `${samples.shape.join(', ')} ${samples.dtype}`);
  const sampleCount = samples.shape[2] as number;
  const scoreScale = checkNumber(builder, 'option "scale"', options.scale ?? 1 / Math.sqrt(dim), {
    above: 0,
  });
  return withLabel(name, () => {
    // 1. sortLSH: hash, stable ranks, the rows gathered in sorted order.
    const queryRanks = stableSortRanks(angularHash(query, projections));
    const keyOrder = sortOrder(stableSortRanks(angularHash(key, projections)));
    const queryOrder = sortOrder(queryRanks);
    const sortedQuery = gatherRows(query, queryOrder);
    const sortedKey = gatherRows(key, keyOrder);
    const sortedValue = gatherRows(value, keyOrder);
    const valueDim = valueShape[3]!;
    const shape = { heads, headDim: dim, valueDim, score: [scale(scoreScale)], outputs: { logSumExp: true } };
    // 2. Exact attention in the diagonal blocks: query block ⌊q/Bq⌋ meets key block ⌊k/Bk⌋.
    const qBlock = (index: Expr) => index.div(constant(queryBlock, 'i32'));
    const kBlock = (index: Expr) => index.div(constant(blockSize, 'i32'));
    const diagonal = makeMask(
      `sortedBlockDiagonal(${queryBlock}, ${blockSize})`,
      qBlock(I.q).eq(kBlock(I.k)),
      {
        empty: qBlock(B.queryEnd)
          .lt(kBlock(B.keyStart))
          .or(qBlock(B.queryStart).gt(kBlock(B.keyEnd))),
        full: qBlock(B.queryStart)
          .eq(qBlock(B.queryEnd))
          .and(kBlock(B.keyStart).eq(kBlock(B.keyEnd)))
          .and(qBlock(B.queryStart).eq(kBlock(B.keyStart))),
      },
    );
    const inBlocks = applyAttention(attention({ ...shape, name: `${name}.blocks`, mask: diagonal }), {
      query: sortedQuery,
      key: sortedKey,
      value: sortedValue,
    });
    // 3. The sampled residual, the query's own block masked (step 2 counts it).
    const table = tensorRef(`${name}.samples`, [batch, heads, sampleCount], 'i32');
    const outsideOwnBlock = makeMask(
      `outsideOwnBlock(${table.name})`,
      kBlock(table.at(I.b, I.h, I.k)).ne(qBlock(I.q)),
      UNKNOWN_BLOCK_RULE,
      { roles: { [table.name]: ['batch', 'heads', 'keys'] } },
    );
    const residual = applyAttention(
      attention({ ...shape, name: `${name}.residual`, mask: outsideOwnBlock }),
      {
        query: sortedQuery,
        key: gatherRows(sortedKey, samples),
        value: gatherRows(sortedValue, samples),
        tensors: { [table.name]: samples },
      },
    );
    // 4. Merge by log-sum-exp, the residual weighted by Nk/m; rows back in the input order.
    const merged = mergeAttention(
      [
        { output: inBlocks.output, logSumExp: inBlocks.logSumExp! },
        { output: residual.output, logSumExp: add(residual.logSumExp!, Math.log(keys / sampleCount)) },
      ],
      { name: `${name}.merge` },
    );
    const output = gatherRows(merged.output, queryRanks);
    const logSumExp = reshape(gatherRows(reshape(merged.logSumExp, [batch, heads, queries, 1]), queryRanks), [
      batch,
      heads,
      queries,
    ]);
    return { output, logSumExp, queryOrder, keyOrder };
  });
}
