/** Sizes of a MoBA problem: self-attention `[1, heads, N, headDim]`, key blocks of `blockSize`. */
export interface MobaShape {
  readonly heads: number;
  readonly sequence: number;
  readonly headDim: number;
  readonly blockSize: number;
  readonly topK: number;
  /** `token`: each query routes itself (the paper); `block`: the block's mean query routes the block. */
  readonly gate: 'token' | 'block';
}

/**
 * MoBA's selection in float64 (Lu et al. 2025): k̄_b is the mean key of block b; the router of query i
 * (q_i, or the mean query of its block) scores the blocks before its own, s_b = router·k̄_b; query i
 * keeps its own block and the top (topK − 1) earlier ones. Returns `[heads, rows, blocks]` 0/1, rows
 * being queries (`token`) or query blocks (`block`).
 */
export function mobaSelectionReference(
  query: ArrayLike<number>,
  key: ArrayLike<number>,
  shape: MobaShape,
): Float64Array {
  const { heads, sequence, headDim, blockSize, topK, gate } = shape;
  const blocks = sequence / blockSize;
  const rows = gate === 'token' ? sequence : blocks;
  const selection = new Float64Array(heads * rows * blocks);
  for (let h = 0; h < heads; h++) {
    const pooledKeys = Array.from({ length: blocks }, (_, block) => blockMean(key, h, block, shape));
    for (let row = 0; row < rows; row++) {
      const own = gate === 'token' ? Math.floor(row / blockSize) : row;
      const router =
        gate === 'token'
          ? Array.from({ length: headDim }, (_, c) => query[(h * sequence + row) * headDim + c]!)
          : blockMean(query, h, row, shape);
      const earlier = Array.from({ length: own }, (_, block) => ({
        block,
        gate: router.reduce((sum, value, c) => sum + value * pooledKeys[block]![c]!, 0),
      })).sort((a, b) => b.gate - a.gate);
      const kept = [own, ...earlier.slice(0, Math.max(0, topK - 1)).map((entry) => entry.block)];
      for (const block of kept) selection[(h * rows + row) * blocks + block] = 1;
    }
  }
  return selection;
}

/**
 * Softmax attention in float64, `softmax(q kᵀ/√d) v` over the keys `keep(h, i, j)` allows, q, k, v
 * and the output `[1, heads, N, headDim]`.
 */
export function maskedAttentionReference(
  query: ArrayLike<number>,
  key: ArrayLike<number>,
  value: ArrayLike<number>,
  shape: { readonly heads: number; readonly sequence: number; readonly headDim: number },
  keep: (h: number, i: number, j: number) => boolean,
): Float64Array {
  const { heads, sequence, headDim } = shape;
  const scale = 1 / Math.sqrt(headDim);
  const result = new Float64Array(heads * sequence * headDim);
  const scores = new Float64Array(sequence);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < sequence; i++) {
      const queryOffset = (h * sequence + i) * headDim;
      let largest = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < sequence; j++) {
        if (!keep(h, i, j)) {
          scores[j] = Number.NEGATIVE_INFINITY;
          continue;
        }
        const keyOffset = (h * sequence + j) * headDim;
        let dot = 0;
        for (let c = 0; c < headDim; c++) dot += query[queryOffset + c]! * key[keyOffset + c]!;
        scores[j] = dot * scale;
        largest = Math.max(largest, scores[j]!);
      }
      let total = 0;
      for (let j = 0; j < sequence; j++) {
        scores[j] = scores[j] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(scores[j]! - largest);
        total += scores[j]!;
      }
      for (let j = 0; j < sequence; j++) {
        if (scores[j] === 0) continue;
        const weight = scores[j]! / total;
        const valueOffset = (h * sequence + j) * headDim;
        for (let c = 0; c < headDim; c++) result[queryOffset + c]! += weight * value[valueOffset + c]!;
      }
    }
  }
  return result;
}

function blockMean(data: ArrayLike<number>, h: number, block: number, shape: MobaShape): number[] {
  const { sequence, headDim, blockSize } = shape;
  const sum = new Array<number>(headDim).fill(0);
  for (let j = block * blockSize; j < (block + 1) * blockSize; j++)
    for (let c = 0; c < headDim; c++) sum[c]! += data[(h * sequence + j) * headDim + c]!;
  return sum.map((value) => value / blockSize);
}
