import { add, constant, type Expr, type Node, reshape, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { makeMask, UNKNOWN_BLOCK_RULE } from '../masks/mask.js';
import { mergeAttention } from '../merge-attention.js';
import { attention } from '../spec/attention-spec.js';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { scale } from '../spec/score-mods.js';
import { angularHash, gatherRows, sortOrder, stableSortRanks } from './sort-lsh.js';

/** One attention result with its log-sum-exp (and the sort orders where sortLSH ran). */
export interface HyperPart {
  readonly output: Node;
  readonly logSumExp: Node;
  readonly queryOrder?: Node;
  readonly keyOrder?: Node;
}

/** What every piece of HyperAttention shares: the projections, block size, score scale and name. */
export interface HyperSettings {
  readonly projections: Node;
  readonly blockSize: number;
  readonly scale: number;
  readonly name: string;
}

const dims = (node: Node) => node.shape as readonly number[];

/** Exact softmax attention with its log-sum-exp (the paper's `exact_attention`), causal or not. */
export function exactAttention(
  q: Node,
  k: Node,
  v: Node,
  settings: HyperSettings,
  isCausal: boolean,
): HyperPart {
  const [, heads, , dim] = dims(q) as [number, number, number, number];
  const spec = attention({
    name: settings.name,
    heads,
    headDim: dim,
    valueDim: dims(v)[3]!,
    score: [scale(settings.scale)],
    ...(isCausal ? { mask: causal() } : {}),
    outputs: { logSumExp: true },
  });
  const { output, logSumExp } = applyAttention(spec, { query: q, key: k, value: v });
  return { output, logSumExp: logSumExp! };
}

/**
 * HyperAttention's `forward_no_causal_mask` above its fallback: sortLSH, exact attention in the
 * sorted diagonal blocks, the sampled residual (`samples` `[B, H, m]` into the sorted keys), merged
 * by log-sum-exp and un-permuted. Shapes are checked by the caller.
 */
export function sortedBlockAttention(
  q: Node,
  k: Node,
  v: Node,
  samples: Node,
  settings: HyperSettings,
): HyperPart {
  const { projections, blockSize, name } = settings;
  const [batch, heads, queries, dim] = dims(q) as [number, number, number, number];
  const keys = dims(k)[2]!;
  const queryBlock = queries / (keys / blockSize);
  const sampleCount = dims(samples)[2]!;
  // 1. sortLSH: hash, stable ranks, the rows gathered in sorted order.
  const queryRanks = stableSortRanks(angularHash(q, projections));
  const keyOrder = sortOrder(stableSortRanks(angularHash(k, projections)));
  const queryOrder = sortOrder(queryRanks);
  const sortedQuery = gatherRows(q, queryOrder);
  const sortedKey = gatherRows(k, keyOrder);
  const sortedValue = gatherRows(v, keyOrder);
  const shape = {
    heads,
    headDim: dim,
    valueDim: dims(v)[3]!,
    score: [scale(settings.scale)],
    outputs: { logSumExp: true },
  };
  // 2. Exact attention in the diagonal blocks: query block ⌊q/Bq⌋ meets key block ⌊k/Bk⌋.
  const qBlock = (index: Expr) => index.div(constant(queryBlock, 'i32'));
  const kBlock = (index: Expr) => index.div(constant(blockSize, 'i32'));
  const diagonal = makeMask(`sortedBlockDiagonal(${queryBlock}, ${blockSize})`, qBlock(I.q).eq(kBlock(I.k)), {
    empty: qBlock(B.queryEnd)
      .lt(kBlock(B.keyStart))
      .or(qBlock(B.queryStart).gt(kBlock(B.keyEnd))),
    full: qBlock(B.queryStart)
      .eq(qBlock(B.queryEnd))
      .and(kBlock(B.keyStart).eq(kBlock(B.keyEnd)))
      .and(qBlock(B.queryStart).eq(kBlock(B.keyStart))),
  });
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
  const residual = applyAttention(attention({ ...shape, name: `${name}.residual`, mask: outsideOwnBlock }), {
    query: sortedQuery,
    key: gatherRows(sortedKey, samples),
    value: gatherRows(sortedValue, samples),
    tensors: { [table.name]: samples },
  });
  // 4. Merge by log-sum-exp, the residual weighted by Nk/m; rows back in the input order.
  const merged = mergeAttention(
    [
      { output: inBlocks.output, logSumExp: inBlocks.logSumExp! },
      { output: residual.output, logSumExp: add(residual.logSumExp!, Math.log(keys / sampleCount)) },
    ],
    { name: `${name}.merge` },
  );
  const output = gatherRows(merged.output, queryRanks);
  const rowsLse = reshape(merged.logSumExp, [batch, heads, queries, 1]);
  const logSumExp = reshape(gatherRows(rowsLse, queryRanks), [batch, heads, queries]);
  return { output, logSumExp, queryOrder, keyOrder };
}
