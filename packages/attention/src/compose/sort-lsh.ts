import {
  add,
  astype,
  equal,
  gather,
  greater,
  less,
  literal,
  logicalAnd,
  logicalOr,
  matmul,
  type Node,
  reshape,
  sum,
  where,
} from '@weft/ir';

/**
 * The Gray-code order of `bits`-bit bucket ids (HyperAttention's `_unit_hamming_distance_array`):
 * perm(1) = [0, 1], perm(r) = [perm(r − 1), reverse(perm(r − 1)) + 2^(r−1)], so neighbouring
 * entries differ in one bit and similar hashes sort next to each other.
 */
export function grayCodeOrder(bits: number): number[] {
  if (bits <= 1) return [0, 1];
  const previous = grayCodeOrder(bits - 1);
  return [...previous, ...[...previous].reverse().map((id) => id + 2 ** (bits - 1))];
}

/**
 * sortLSH's hash of each row of `x` `[B, H, N, d]` under projections P `[d, r]`:
 * perm[Σ_b 2^b·1[x·P_b > 0]] `[B, H, N]` i32 (a matmul, a sign, a bit pack and a lookup).
 */
export function angularHash(x: Node, projections: Node): Node {
  const bits = projections.shape[1] as number;
  const signs = greater(matmul(x, projections), 0);
  const weights = literal(
    Array.from({ length: bits }, (_, b) => 2 ** b),
    [bits],
  );
  const bucket = astype(sum(where(signs, weights, 0), -1), 'i32');
  return gather(literal(grayCodeOrder(bits), [2 ** bits], 'i32'), bucket, 0);
}

/**
 * The position of each row in the stable ascending sort by `hash` `[B, H, N]` i32:
 * rank_i = #{j : h_j < h_i} + #{j < i : h_j = h_i}, counted pairwise (no sort op), `[B, H, N]` i32.
 */
export function stableSortRanks(hash: Node): Node {
  const [batch, heads, n] = hash.shape as [number, number, number];
  const row = reshape(hash, [batch, heads, n, 1]);
  const column = reshape(hash, [batch, heads, 1, n]);
  const before = literal(
    Array.from({ length: n * n }, (_, index) => (index % n < Math.floor(index / n) ? 1 : 0)),
    [n, n],
    'i32',
  );
  const precedes = logicalOr(less(column, row), logicalAnd(equal(column, row), greater(before, 0)));
  return sum(where(precedes, literal([1], [1], 'i32'), 0), -1);
}

/** The rows in sorted order: order[p] = i where rank_i = p (the inverse permutation), `[B, H, N]` i32. */
export function sortOrder(ranks: Node): Node {
  const [batch, heads, n] = ranks.shape as [number, number, number];
  const positions = literal(
    Array.from({ length: n }, (_, p) => p),
    [n, 1],
    'i32',
  );
  const rows = literal(
    Array.from({ length: n }, (_, i) => i),
    [n],
    'i32',
  );
  const placed = equal(reshape(ranks, [batch, heads, 1, n]), positions);
  return sum(where(placed, rows, 0), -1);
}

/** out[b, h, s] = x[b, h, index[b, h, s]] for x `[B, H, N, d]` and index `[B, H, S]` i32 (PyTorch's gather). */
export function gatherRows(x: Node, index: Node): Node {
  const [batch, heads, n, dim] = x.shape as [number, number, number, number];
  const offsets = literal(
    Array.from({ length: batch * heads }, (_, bh) => bh * n),
    [batch, heads, 1],
    'i32',
  );
  return gather(reshape(x, [batch * heads * n, dim]), add(index, offsets), 0);
}
