import { dot, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Sizes and settings of a FlexPrefill problem (self-attention, MHA, `[batch, heads, length, dim]`). */
export interface FlexPrefillSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly blockSize: number;
  readonly gamma: number;
  readonly tau: number;
  /** Minimum budget in blocks (default 1). */
  readonly minBlocks?: number;
}

/** One head's FlexPrefill decision: its √JSD, its pattern and its block table (rows × columns). */
export interface FlexPrefillHead {
  readonly divergence: number;
  readonly queryAware: boolean;
  readonly table: boolean[][];
}

const sortedDescending = (values: readonly number[]) => [...values].sort((a, b) => b - a);

/** `score_cover_topk`: how many sorted entries have cumulative mass ≤ bound, plus one. */
function coverTopK(values: readonly number[], bound: number): number {
  let total = 0;
  let count = 0;
  for (const value of sortedDescending(values)) {
    total += value;
    if (total <= bound) count++;
  }
  return count + 1;
}

/** Indices of the `count` largest entries (a sort by value, descending). */
function topIndices(values: readonly number[], count: number): number[] {
  return values
    .map((value, index) => ({ value, index }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, count)
    .map((entry) => entry.index);
}

function softmax(values: readonly number[]): number[] {
  const top = Math.max(...values);
  const exps = values.map((value) => (value === -Infinity ? 0 : Math.exp(value - top)));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

function mean(rows: readonly (readonly number[])[]): number[] {
  return rows[0]!.map((_, d) => rows.reduce((total, row) => total + row[d]!, 0) / rows.length);
}

/**
 * FlexPrefill's block selection for one head, float64, written from the paper (Lai et al., ICLR
 * 2025, Algorithm 1–3) and `get_active_blocks` of its code, with real sorts: the last query block's
 * causal attention A; vertical v_j = mean_i A_ij and slash σ_δ = mean_i A_{i, i−δ}; counts from the
 * sorted cumulative mass (⌊count/B⌋ + 1 blocks, at least the minimum budget); â = softmax of the
 * mean last query against the block-mean keys, ā = block sums of v, query-aware where √JSD < τ
 * (counts at the minimum, plus the block pairs whose sorted block-attention mass stays ≤ γ·blocks).
 */
export function flexPrefillHead(
  sizes: FlexPrefillSizes,
  query: ArrayLike<number>,
  key: ArrayLike<number>,
  b: number,
  h: number,
): FlexPrefillHead {
  const { heads, length, dim, blockSize: size, gamma, tau } = sizes;
  const minBlocks = sizes.minBlocks ?? 1;
  const rows = { heads, length, dim };
  const blocks = length / size;
  const scale = 1 / Math.sqrt(dim);
  const q = (i: number) => rowOf(query, rows, b, h, i).map((x) => x * scale);
  const k = (j: number) => rowOf(key, rows, b, h, j);
  const lastRows = Array.from({ length: size }, (_, r) => length - size + r);
  const attention = lastRows.map((i) =>
    softmax(Array.from({ length }, (_, j) => (j <= i ? dot(q(i), k(j)) : -Infinity))),
  );
  const vertical = Array.from({ length }, (_, j) => attention.reduce((t, row) => t + row[j]!, 0) / size);
  // Diagonal δ = distance of the key before its query.
  const slash = Array.from(
    { length },
    (_, delta) =>
      attention.reduce((t, row, r) => t + (lastRows[r]! - delta >= 0 ? row[lastRows[r]! - delta]! : 0), 0) /
      size,
  );
  const budget = (scores: number[]) =>
    Math.max(minBlocks, Math.min(blocks, Math.floor(coverTopK(scores, gamma) / size) + 1));
  const blockSums = (scores: readonly number[]) =>
    Array.from({ length: blocks }, (_, c) =>
      scores.slice(c * size, (c + 1) * size).reduce((a, x) => a + x, 0),
    );
  const keyMeans = Array.from({ length: blocks }, (_, c) =>
    mean(Array.from({ length: size }, (_, t) => k(c * size + t))),
  );
  const estimated = softmax(keyMeans.map((kBar) => dot(mean(lastRows.map(q)), kBar)));
  const truth = blockSums(vertical);
  const middle = estimated.map((p, c) => (p + truth[c]!) / 2);
  const kl = (p: number[]) => p.reduce((t, x, c) => t + (x > 0 ? x * Math.log(x / middle[c]!) : 0), 0);
  const divergence = Math.sqrt(Math.max(0, 0.5 * kl(estimated) + 0.5 * kl(truth)));
  const queryAware = divergence < tau;
  const table = Array.from({ length: blocks }, (_, r) =>
    Array.from({ length: blocks }, (_, c) => c <= r && length <= Math.max(2 * size, minBlocks * size)),
  );
  if (length <= Math.max(2 * size, minBlocks * size)) return { divergence, queryAware, table };
  const verticalCount = queryAware ? minBlocks : budget(vertical);
  const slashCount = queryAware ? minBlocks : budget(slash);
  const verticalScores = blockSums(vertical);
  verticalScores[0] = Infinity;
  // Slash blocks by offset in blocks: delta block e covers diagonals [eB, (e+1)B).
  const slashScores = blockSums(slash);
  slashScores[0] = Infinity;
  for (const c of topIndices(verticalScores, verticalCount))
    for (let r = c; r < blocks; r++) table[r]![c] = true;
  for (const e of topIndices(slashScores, slashCount))
    for (let r = e; r < blocks; r++) table[r]![r - e] = true;
  if (queryAware) {
    const queryMeans = Array.from({ length: blocks }, (_, r) =>
      mean(Array.from({ length: size }, (_, t) => q(r * size + t))),
    );
    const pairs = queryMeans.flatMap((qBar, r) =>
      softmax(keyMeans.map((kBar, c) => (c <= r ? dot(qBar, kBar) : -Infinity))).map((p, c) => ({ p, r, c })),
    );
    let total = 0;
    for (const pair of [...pairs].sort((a, b) => b.p - a.p)) {
      total += pair.p;
      if (total <= gamma * blocks) table[pair.r]![pair.c] = true;
    }
  }
  return { divergence, queryAware, table };
}

/** FlexPrefill's output: causal softmax attention over the selected block pairs, float64 (and the table). */
export function denseFlexPrefill(sizes: FlexPrefillSizes) {
  const { batch, heads, length, dim, blockSize } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const decisions = Array.from({ length: batch * heads }, (_, bh) =>
      flexPrefillHead(sizes, values.q!, values.k!, Math.floor(bh / heads), bh % heads),
    );
    const dense = { batch, heads, queries: length, keys: length, headDim: dim, valueDim: dim };
    const output = weightedValues(dense, values.v!, (b, h, i) => {
      const table = decisions[b * heads + h]!.table;
      const query = rowOf(values.q!, rows, b, h, i);
      const keys = Array.from({ length }, (_, j) => j);
      return softmaxRow(
        keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(dim)),
        keys.map((j) => j <= i && table[Math.floor(i / blockSize)]![Math.floor(j / blockSize)]!),
      );
    });
    return {
      output,
      table: decisions.flatMap((d) => d.table.flat().map((kept) => (kept ? 1 : 0))),
      decisions,
    };
  };
}
