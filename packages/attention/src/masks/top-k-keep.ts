import { constant, mapElements, type Node, select, slice, topk, variable } from '@weft/ir';

/**
 * A score no real entry reaches: selections force an entry in with +`EXCLUDED_SCORE` and rule one
 * out (a future block, a non-causal key) with −`EXCLUDED_SCORE`, which {@link topKKeep} never keeps.
 */
export const EXCLUDED_SCORE = 3e38;

/**
 * 1 (i32) where a score of `scores` `[B, H, R, N]` is at least its row's k-th largest and not
 * excluded (> −{@link EXCLUDED_SCORE}), else 0: the top-k selection of MoBA, NSA, Loki and DHSA.
 * Ties at the k-th score are all kept; k is clamped to the row length.
 */
export function topKKeep(scores: Node, k: number): Node {
  const [batch, heads, rows, length] = scores.shape as [number, number, number, number];
  const kept = Math.min(k, length);
  const kth = slice(topk(scores, kept).values, [0, 0, 0, kept - 1], [batch, heads, rows, kept]);
  return mapElements(
    [scores, kth],
    select(
      variable('$0', 'f32')
        .ge(variable('$1', 'f32'))
        .and(variable('$0', 'f32').gt(constant(-EXCLUDED_SCORE))),
      constant(1, 'i32'),
      constant(0, 'i32'),
    ),
  );
}
