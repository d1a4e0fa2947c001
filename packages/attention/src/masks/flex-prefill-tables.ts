import {
  add,
  broadcastTo,
  constant,
  div,
  type Expr,
  exp,
  floor,
  literal,
  mapElements,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mul,
  type Node,
  pad,
  reshape,
  SpecError,
  select,
  slice,
  sqrt,
  sub,
  sum,
  variable,
  where,
} from '@weft/ir';
import { blockMean, perQueryHead, staticShape4 } from './block-pooling.js';

/** The checked settings of a FlexPrefill block table (see `flexPrefillSelection`). */
export interface FlexPrefillSettings {
  /** Positions per block. */
  readonly size: number;
  /** γ: the attention mass the selected columns, diagonals or block pairs must cover. */
  readonly gamma: number;
  /** τ: a head whose √JSD is below it takes the query-aware pattern. */
  readonly tau: number;
  /** Fewest vertical and slash blocks (the minimum budget, in blocks). */
  readonly minBlocks: number;
  /** Most vertical and slash blocks (the maximum budget, in blocks; at most the block count). */
  readonly maxBlocks: number;
}

/** What {@link flexPrefillBlockTables} builds. */
export interface FlexPrefillBlockTables {
  /** Block table `[batch, heads, blocks, blocks]` i32: 1 where the query block visits the key block. */
  readonly table: Node;
  /** √JSD(â, ā) per head `[batch, heads]`: estimated vs true block distribution of the last query block. */
  readonly divergence: Node;
  /** 1 where the head takes the query-aware pattern (√JSD < τ), else 0: `[batch, heads]` f32. */
  readonly queryAware: Node;
}

/** Logit of a masked pair: exp of it minus any row max is 0 in f32. */
const MASKED = -1e30;
/** A forced score above every probability (the first vertical block, the diagonal slash block). */
const FORCED = 1e30;

const $0 = variable('$0', 'f32');
const $1 = variable('$1', 'f32');
const $2 = variable('$2', 'f32');
const i2 = variable('i2', 'i32');
const i3 = variable('i3', 'i32');
const i4 = variable('i4', 'i32');
const int = (value: number) => constant(value, 'i32');
const indicator = (condition: Expr) => select(condition, constant(1), constant(0));

/**
 * FlexPrefill's block selection (Lai et al., ICLR 2025, catalog #105, `get_active_blocks`) as
 * graph ops, all on the device; `query` `[batch, heads, N, d]`, `key` `[batch, kvHeads, N, d]`.
 * 1. The last query block Q̂ (scaled by 1/√d) attends causally to every key: A = softmax(Q̂Kᵀ).
 * 2. Vertical scores v_j = mean_i A_ij; slash scores σ_t = (1/B) Σ_i A_{i, t+i−B+1} (the diagonal
 *    through key t of the last row; t = N−1 is the main diagonal).
 * 3. Per head, the fewest columns (diagonals) whose sorted mass reaches γ, c, gives ⌊c/B⌋ + 1
 *    blocks, clamped to the budget. The top vertical blocks (block 0 forced) and slash blocks (the
 *    diagonal forced) by block-summed score are kept: vertical block c → pairs (r ≥ c, c), slash
 *    offset δ → pairs (r, r − δ).
 * 4. â = softmax(mean_i Q̂_i · k̄ᵀ) over the block-mean keys, ā = block sums of v, D = √JSD(â, ā).
 *    Where D < τ the head is query-aware: its vertical and slash counts drop to the minimum budget
 *    and it adds the block pairs of softmax(q̄_r·k̄_cᵀ/√d) (block-causal, rows of mean queries)
 *    whose sorted cumulative mass stays within γ·blocks.
 * Both patterns are computed for every head and the per-head choice is a `where`: no host round
 * trip. Sorted covers are counted without a sort: an entry is inside the cover when the mass of
 * the entries at least as large is within the bound (the same set as the sorted cumsum but for
 * exact ties). N ≤ max(2B, minimum budget) keeps every causal block, as the reference does.
 */
export function buildFlexPrefillTables(
  query: Node,
  key: Node,
  settings: FlexPrefillSettings,
): FlexPrefillBlockTables {
  const { size, gamma, tau } = settings;
  const [batch, heads, length, headDim] = staticShape4('flexPrefillSelection', query, 'the query');
  const [keyBatch, kvHeads, keys] = staticShape4('flexPrefillSelection', key, 'the key');
  if (keyBatch !== batch || keys !== length || heads % kvHeads !== 0 || key.shape[3] !== headDim)
    throw new SpecError('flexPrefillSelection: the key must be [batch, kvHeads, N, headDim] like the query', {
      tensor: 'key',
      expected: `[${batch}, a divisor of ${heads}, ${length}, ${headDim}]`,
      actual: `[${key.shape.join(', ')}]`,
    });
  if (length % size !== 0)
    throw new SpecError(`flexPrefillSelection: the block size ${size} must divide the sequence`, {
      tensor: 'query',
      dimension: 2,
      expected: `N a multiple of ${size}`,
      actual: length,
    });
  const blocks = length / size;
  const minBlocks = Math.min(settings.minBlocks, blocks);
  const maxBlocks = Math.max(minBlocks, Math.min(settings.maxBlocks, blocks));
  const scale = 1 / Math.sqrt(headDim);
  const keysPerHead = perQueryHead(key, heads);
  const pooledKeys = blockMean(keysPerHead, size);
  const lastQuery = mul(slice(query, [0, 0, length - size, 0], [batch, heads, length, headDim]), scale);

  // 1–2. The last block's attention, its column means and diagonal means.
  const lastLogits = mapElements(
    [matmul(lastQuery, keysPerHead, { transposeB: true })],
    select(i3.gt(i2.add(int(length - size))), constant(MASKED), $0),
  );
  const lastAttention = softmaxRows(lastLogits);
  const vertical = mean(lastAttention, 2);
  const slash = div(sum(skewDiagonals(lastAttention, [batch, heads, size, length]), 2), size);

  // 3. Budgets per head, in blocks.
  const budget = (scores: Node) =>
    minimum(maximum(add(floor(div(coverCount(scores, gamma), size)), 1), minBlocks), maxBlocks);
  const verticalBlocks = sum(reshape(vertical, [batch, heads, blocks, size]), -1);
  const slashBlocks = sum(reshape(slash, [batch, heads, blocks, size]), -1);

  // 4. √JSD between the estimated and the true block distribution of the last query block.
  const estimated = reshape(
    softmaxRows(matmul(mean(lastQuery, 2, { keepDims: true }), pooledKeys, { transposeB: true })),
    [batch, heads, blocks],
  );
  const divergence = sqrtJsd(estimated, verticalBlocks);
  const queryAware = mapElements([divergence], indicator($0.lt(constant(tau))));
  const count = (scores: Node) =>
    where(mapElements([queryAware], $0.gt(constant(0))), minBlocks, budget(scores));

  // Vertical block c and slash block t (offset blocks − 1 − t) kept where their rank is within the count.
  const forced = (scores: Node, index: number) =>
    mapElements([scores], select(i2.eq(int(index)), constant(FORCED), $0));
  const kept = (scores: Node, total: Node) =>
    mapElements([rankDescending(scores), reshape(total, [batch, heads, 1])], indicator($0.lt($1)));
  const verticalKept = kept(forced(reshape(verticalBlocks, [batch, heads, blocks]), 0), count(vertical));
  const slashKept = kept(forced(slashBlocks, blocks - 1), count(slash));
  // Pair (r, c) on slash offset r − c: slash block blocks − 1 − (r − c).
  const slashPairs = sum(
    mapElements(
      [broadcastTo(reshape(slashKept, [batch, heads, 1, 1, blocks]), [batch, heads, blocks, blocks, blocks])],
      select(
        i4.eq(
          int(blocks - 1)
            .sub(i2)
            .add(i3),
        ),
        $0,
        constant(0),
      ),
    ),
    -1,
  );
  const verticalSlash = mapElements(
    [reshape(verticalKept, [batch, heads, 1, blocks]), slashPairs],
    indicator(i3.le(i2).and($0.gt(constant(0)).or($1.gt(constant(0))))),
  );

  // 5. The query-aware pattern: block-mean queries against block-mean keys, block-causal.
  const blockLogits = mapElements(
    [matmul(mul(blockMean(query, size), scale), pooledKeys, { transposeB: true })],
    select(i3.gt(i2), constant(MASKED), $0),
  );
  const blockScores = reshape(softmaxRows(blockLogits), [batch, heads, blocks * blocks]);
  const queryAwarePairs = reshape(
    mapElements([coverMass(blockScores)], indicator($0.le(constant(gamma * blocks)))),
    [batch, heads, blocks, blocks],
  );

  // Short sequences keep every causal block (a constant: a map reading none of its operands would bind them idly).
  const everyCausal = length <= Math.max(2 * size, settings.minBlocks * size);
  const table = everyCausal
    ? literal(
        Array.from({ length: batch * heads * blocks * blocks }, (_, index) =>
          index % blocks <= Math.floor(index / blocks) % blocks ? 1 : 0,
        ),
        [batch, heads, blocks, blocks],
        'i32',
      )
    : mapElements(
        [verticalSlash, queryAwarePairs, reshape(queryAware, [batch, heads, 1, 1])],
        select($0.gt(constant(0)).or($2.gt(constant(0)).and($1.gt(constant(0)))), int(1), int(0)),
      );
  return { table, divergence, queryAware };
}

/** softmax along the last axis. */
function softmaxRows(x: Node): Node {
  const e = exp(sub(x, max(x, -1, { keepDims: true })));
  return div(e, sum(e, -1, { keepDims: true }));
}

/**
 * `[b, h, R, N]` → `[b, h, R, N]` with element (i, t) = x[i, t + i − R + 1] (0 before the row):
 * padding R − 1 columns in front and re-reading the rows one element longer shifts row i by i.
 */
function skewDiagonals(x: Node, [batch, heads, rows, columns]: [number, number, number, number]): Node {
  const width = columns + rows - 1;
  const padded = reshape(pad(x, [0, 0, 0, rows - 1], [0, 0, 0, 0]), [batch, heads, rows * width]);
  const skewed = reshape(pad(padded, [0, 0, 0], [0, 0, rows]), [batch, heads, rows, width + 1]);
  return slice(skewed, [0, 0, 0, 0], [batch, heads, rows, columns]);
}

/** For each entry j of the last axis, Σ_i x_i [x_i ≥ x_j]: the cumulative mass at its sorted place. */
function coverMass(x: Node): Node {
  const shape = x.shape as number[];
  const column = reshape(x, [...shape, 1]);
  const row = reshape(x, [...shape.slice(0, -1), 1, shape.at(-1)!]);
  return sum(mapElements([column, row], select($1.ge($0), $1, constant(0))), -1);
}

/** FlexPrefill's `score_cover_topk`: entries whose sorted cumulative mass is ≤ γ, plus one. */
function coverCount(x: Node, gamma: number): Node {
  return add(sum(mapElements([coverMass(x)], indicator($0.le(constant(gamma)))), -1), 1);
}

/** Rank of each entry in descending order, ties to the lower index (`topk`'s order). */
function rankDescending(x: Node): Node {
  const shape = x.shape as number[];
  const column = reshape(x, [...shape, 1]);
  const row = reshape(x, [...shape.slice(0, -1), 1, shape.at(-1)!]);
  const last = variable(`i${shape.length}`, 'i32');
  const before = variable(`i${shape.length - 1}`, 'i32');
  return sum(mapElements([column, row], indicator($1.gt($0).or($1.eq($0).and(last.lt(before))))), -1);
}

/** √JSD of two distributions along the last axis (0·log 0 = 0). */
function sqrtJsd(p: Node, q: Node): Node {
  const middle = div(add(p, q), 2);
  const term = (x: Node) =>
    sum(
      mapElements([x, middle], select($0.gt(constant(0)), $0.mul($0.div($1).apply('log')), constant(0))),
      -1,
    );
  return sqrt(maximum(mul(add(term(p), term(q)), 0.5), 0));
}
