import {
  broadcastTo,
  constant,
  type Expr,
  full,
  mapElements,
  matmul,
  max,
  type Node,
  reshape,
  select,
  sum,
  variable,
} from '@weft/ir';
import { EXCLUDED_SCORE, topKKeep } from '../masks/top-k-keep.js';

/** The block sizes and counts of NSA's selection branch. */
export interface NsaSelectionGeometry {
  /** l, tokens per compressed block. */
  readonly length: number;
  /** d, stride of the compressed blocks. */
  readonly stride: number;
  /** l′, tokens per selection block (a multiple of the kernel's 32-key tile and of d). */
  readonly selectBlock: number;
  /** n, selection blocks kept per query, the forced ones included. */
  readonly selectCount: number;
}

/** The selection tables of NSA, built by graph ops from the compressed branch. */
export interface NsaBlockTables {
  /** p^slc summed over each GQA group, `[batch, kvHeads, N, N/l′]` (0 where nothing is attended). */
  readonly importance: Node;
  /** Per-query selection `[batch, heads, N, N/l′]` i32, shared by the heads of a group. */
  readonly tokens: Node;
  /** Its union over each query block of l′, `[batch, heads, N/l′, N/l′]` i32 (the kernel's tile table). */
  readonly table: Node;
}

const at = (axis: number) => variable(`i${axis}`, 'i32');
const i32 = (value: number) => constant(value, 'i32');

/**
 * NSA's block selection from the compressed branch: p^cmp_t = softmax(q_t K^cmpᵀ·scale) over the
 * compressed blocks the query sees, recomputed from the compressed kernel's row log-sum-exp as
 * exp(s − lse); p^slc_t[j] = Σ_{m<l′/d} Σ_{n<l/d} p^cmp_t[(l′/d)j − m − n] (a matmul with a 0/1-count
 * matrix); summed over the query heads of each GQA group; the first block and the 2 local blocks
 * (the query's own and the one before it) forced in, blocks after the query's own out, the top n
 * kept (ties at the n-th kept too). `query` `[b, H, N, e]`, `compressedKey` `[b, Hk, N_c, e]`,
 * `logSumExp` `[b, H, N]`.
 */
export function nsaBlockTables(
  query: Node,
  compressedKey: Node,
  logSumExp: Node,
  geometry: NsaSelectionGeometry,
  scale: number,
): NsaBlockTables {
  const { length, stride, selectBlock, selectCount } = geometry;
  const [batch, heads, n, dim] = query.shape as [number, number, number, number];
  const [, kvHeads, compressed] = compressedKey.shape as [number, number, number];
  const group = heads / kvHeads;
  const blocks = n / selectBlock;
  // Scores of each query head against its group's compressed keys: [b, H, N, N_c].
  const grouped = reshape(query, [batch, kvHeads, group * n, dim]);
  const scores = reshape(matmul(grouped, compressedKey, { transposeB: true }), [batch, heads, n, compressed]);
  const seen = at(3)
    .mul(i32(stride))
    .add(i32(length - 1))
    .le(at(2));
  const probabilities = mapElements(
    [scores, reshape(logSumExp, [batch, heads, n, 1])],
    select(
      seen,
      variable('$0', 'f32').mul(constant(scale)).sub(variable('$1', 'f32')).apply('exp'),
      constant(0),
    ),
  );
  const groupSum = sum(reshape(probabilities, [batch, kvHeads, group, n, compressed]), [2]);
  const importance = matmul(groupSum, overlapCounts(compressed, blocks, geometry));
  const own = at(2).div(i32(selectBlock));
  const column = at(3);
  const forced = column
    .eq(own)
    .or(column.eq(own.sub(i32(1))))
    .or(column.eq(i32(0)));
  const ranked = mapElements(
    [importance],
    select(
      forced,
      constant(EXCLUDED_SCORE),
      select(column.gt(own), constant(-EXCLUDED_SCORE), variable('$0', 'f32')),
    ),
  );
  const picked = topKKeep(ranked, selectCount);
  const perHead = reshape(
    broadcastTo(reshape(picked, [batch, kvHeads, 1, n, blocks]), [batch, kvHeads, group, n, blocks]),
    [batch, heads, n, blocks],
  );
  const table = max(reshape(perHead, [batch, heads, blocks, selectBlock, blocks]), 3);
  return { importance, tokens: perHead, table };
}

/**
 * The `[N_c, N/l′]` matrix C with C[i, j] = #{(m, n) : m < l′/d, n < l/d, (l′/d)j − m − n = i}, so
 * that p^slc = p^cmp C (indices outside the compressed blocks contribute nothing).
 */
function overlapCounts(compressed: number, blocks: number, geometry: NsaSelectionGeometry): Node {
  const perSelect = geometry.selectBlock / geometry.stride;
  const perCompressed = geometry.length / geometry.stride;
  let count: Expr = variable('$0', 'f32');
  for (let m = 0; m < perSelect; m++)
    for (let o = 0; o < perCompressed; o++)
      count = count.add(
        select(
          at(0).eq(
            at(1)
              .mul(i32(perSelect))
              .sub(i32(m + o)),
          ),
          constant(1),
          constant(0),
        ),
      );
  return mapElements([full(0, [compressed, blocks])], count);
}
