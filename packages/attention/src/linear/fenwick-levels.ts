import { constant, type Expr } from '@weft/ir';

/**
 * Fenwick levels of log-linear attention (catalog paper 109) that a sequence of `length` positions
 * needs: level 0 (the diagonal) plus one level per bit of the largest position, i.e.
 * ⌈log2 length⌉ + 1 (1 for a single position).
 *
 * @example
 * ```ts
 * fenwickLevelCount(24); // 6: levels 0 … 5
 * ```
 */
export function fenwickLevelCount(length: number): number {
  let levels = 1;
  while (2 ** (levels - 1) < length) levels++;
  return levels;
}

/**
 * The Fenwick level ℓ(t, s) of key s ≤ t for query t, as an i32 Expr over i32 position Exprs: the
 * bit length of t XOR s, counted as the scales 2^j (j < levels − 1) at which ⌊t/2^j⌋ ≠ ⌊s/2^j⌋.
 * Level 0 is s = t; level ℓ ≥ 1 is the bucket [t − t mod 2^(ℓ−1) − 2^(ℓ−1), t − t mod 2^(ℓ−1)),
 * present when bit ℓ − 1 of t is set (the paper's level masks M^ℓ).
 */
export function fenwickLevelExpr(query: Expr, key: Expr, levels: number): Expr {
  let level: Expr = constant(0, 'i32');
  for (let j = 0; j < levels - 1; j++) {
    const scale = constant(2 ** j, 'i32');
    level = level.add(query.div(scale).ne(key.div(scale)).select(constant(1, 'i32'), constant(0, 'i32')));
  }
  return level;
}

/**
 * Which levels hold the prefix [0, length) after `length` positions, for the decode state: level
 * ℓ ≥ 1 holds [length − length mod 2^(ℓ−1) − 2^(ℓ−1), length − length mod 2^(ℓ−1)) when bit ℓ − 1
 * of `length` is set. Returns a row-major `[stateLevels, length]` 0/1 table (row ℓ − 1 for level ℓ).
 */
export function fenwickPrefixBuckets(length: number, stateLevels: number): number[] {
  const table = new Array<number>(stateLevels * length).fill(0);
  for (let level = 1; level <= stateLevels; level++) {
    const half = 2 ** (level - 1);
    if (Math.floor(length / half) % 2 === 0) continue;
    const end = length - (length % half);
    for (let s = end - half; s < end; s++) table[(level - 1) * length + s] = 1;
  }
  return table;
}
