import {
  add,
  constant,
  cumsum,
  type Expr,
  full,
  gather,
  literal,
  mapElements,
  mul,
  type Node,
  reshape,
  variable,
} from '@weft/ir';

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

/**
 * λ_t^(ℓ(t,s)) over `shape` (`[…, t, s]` the last two axes, the rows of λ `[B, H, rows, L]`
 * numbered along the axes before them): one gather from λ flattened.
 */
export function fenwickLevelWeights(lambda: Node, shape: readonly number[], rows: number): Node {
  const rank = shape.length;
  const [B, H, , L] = lambda.shape as number[];
  const i = (axis: number) => variable(`i${axis}`, 'i32');
  const positions = shape[rank - 1]!;
  // The row of λ: the flat index of (b, h, …, t) in its [B, H, rows] rows.
  let row = i(0);
  for (let axis = 1; axis < rank - 1; axis++) row = row.mul(constant(shape[axis]!, 'i32')).add(i(axis));
  const levels = fenwickLevelCount(positions);
  const index = row.mul(constant(L!, 'i32')).add(fenwickLevelExpr(i(rank - 2), i(rank - 1), levels));
  const indices = mapElements([full(0, shape, 'i32')], index);
  return gather(reshape(lambda, [B! * H! * rows * L!]), indices, 0);
}

/**
 * The binary carry of a decode step at position t (`position` `[1]`, before the step) on level
 * states `levels` `[B, H, L, …]`: level ℓ is emptied when 2^ℓ divides t + 1, and receives
 * `entering` (the step's own level-0 term, `[B, H, 1, …]`) plus the levels below it when 2^(ℓ−1)
 * does but 2^ℓ does not (its lowest set bit).
 */
export function fenwickCarry(levels: Node, entering: Node, position: Node): Node {
  const L = levels.shape[2] as number;
  const scales = literal(
    Array.from({ length: L }, (_, level) => 2 ** (level + 1)),
    [L],
  );
  const next = variable('$0').add(1);
  const emptied = next.mod(variable('$1')).eq(0);
  const keep = mapElements([position, scales], emptied.select(0, 1));
  const receive = mapElements(
    [position, scales],
    emptied
      .not()
      .and(next.mod(variable('$1').mul(0.5)).eq(0))
      .select(1, 0),
  );
  const merged = add(entering, cumsum(levels, 2, { exclusive: true }));
  const perLevel = (x: Node) => reshape(x, [1, 1, L, ...levels.shape.slice(3).map(() => 1)]);
  return add(mul(levels, perLevel(keep)), mul(merged, perLevel(receive)));
}
