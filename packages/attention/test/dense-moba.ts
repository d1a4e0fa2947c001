import { dot, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Sizes of a MoBA problem: self-attention, `[1 batch, heads, length, dim]`, blocks of `blockSize`. */
export interface MobaSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly blockSize: number;
  readonly topK: number;
  /** `token`: the paper's routing, per query; `block`: the block's mean query routes the block. */
  readonly gate?: 'token' | 'block';
}

/**
 * MoBA's routing written from the paper (Lu et al. 2025, §2.2 and `moba_naive.py`), float64: block
 * b's summary k̄_b = mean of its keys; query i (in block c = ⌊i/B⌋) scores s_ib = q_i·k̄_b for the
 * blocks before its own; it keeps its own block and the top (k − 1) of the earlier ones (all of them
 * where fewer exist). Returns `selected(b, h, i)`: the set of key blocks query i attends to.
 */
export function mobaBlocks(sizes: MobaSizes, query: ArrayLike<number>, key: ArrayLike<number>) {
  const { heads, length, dim, blockSize, topK } = sizes;
  const rows = { heads, length, dim };
  const blocks = length / blockSize;
  const blockMean = (data: ArrayLike<number>, b: number, h: number, block: number) => {
    const sum = new Array<number>(dim).fill(0);
    for (let j = block * blockSize; j < (block + 1) * blockSize; j++)
      rowOf(data, rows, b, h, j).forEach((value, d) => {
        sum[d]! += value;
      });
    return sum.map((value) => value / blockSize);
  };
  return (b: number, h: number, i: number): Set<number> => {
    const own = Math.floor(i / blockSize);
    const router = sizes.gate === 'block' ? blockMean(query, b, h, own) : rowOf(query, rows, b, h, i);
    const earlier = Array.from({ length: own }, (_, block) => ({
      block,
      gate: dot(router, blockMean(key, b, h, block)),
    }));
    earlier.sort((x, y) => y.gate - x.gate);
    const picked = earlier.slice(0, Math.max(0, Math.min(topK, blocks) - 1)).map((entry) => entry.block);
    return new Set([own, ...picked]);
  };
}

/** MoBA's output o_i = softmax(q_i Kᵀ/√d over the keys j ≤ i in the selected blocks) V, float64. */
export function denseMoba(sizes: MobaSizes) {
  const { batch, heads, length, dim, blockSize } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const selected = mobaBlocks(sizes, values.q!, values.k!);
    const dense = { batch, heads, queries: length, keys: length, headDim: dim, valueDim: dim };
    return {
      output: weightedValues(dense, values.v!, (b, h, i) => {
        const blocks = selected(b, h, i);
        const query = rowOf(values.q!, rows, b, h, i);
        const keys = Array.from({ length }, (_, j) => j);
        return softmaxRow(
          keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(dim)),
          keys.map((j) => j <= i && blocks.has(Math.floor(j / blockSize))),
        );
      }),
    };
  };
}
