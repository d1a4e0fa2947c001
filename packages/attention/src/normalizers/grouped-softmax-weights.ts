import {
  add,
  constant,
  type Dim,
  div,
  type Expr,
  equal,
  exp,
  gather,
  greaterEqual,
  literal,
  log,
  max,
  mul,
  type Node,
  sub,
  sum,
  UnsupportedError,
  where,
} from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import type { GroupedSoftmaxAttrs } from './grouped-softmax.js';

/**
 * Landmark Attention's grouped softmax as primitive ops over the `[B, H, Nq, Nk]` score grid:
 * key roles (top-level, previous-block regular, hidden) are index maps; the top-level
 * log-sum-exp is a masked reduction; each key's block statistics come from a gather of the
 * `ℓ + 1` keys of its block (`[B, H, Nq, Nk, ℓ + 1]`) and the landmark gate from a gather of the
 * block's landmark score. No scatter. `indexMap` lowers an Expr over the attention indices to a
 * node over the grid. The key length must be static (the gathers' index tables are literals).
 */
export function groupedSoftmaxWeights(
  normalizer: GroupedSoftmaxAttrs,
  score: Node,
  keep: Node | undefined,
  keys: Dim,
  indexMap: (expr: Expr) => Node,
): Node {
  if (typeof keys !== 'number')
    throw new UnsupportedError('the groupedSoftmax decomposition needs a static key length', {
      expected: 'a number',
      actual: keys.name,
    });
  const period = normalizer.blockSize + 1;
  const position = I.q.add(I.keyLength).sub(I.queryLength);
  const keyBlock = I.k.div(constant(period, 'i32'));
  const currentBlock = position.div(constant(period, 'i32'));
  const landmark = I.k.add(constant(1, 'i32')).mod(constant(period, 'i32')).eq(constant(0, 'i32'));
  const causal = I.k.le(position);
  const visible = (role: Expr) => indexMap(causal.and(role));
  const top = visible(
    landmark.and(keyBlock.lt(currentBlock)).or(landmark.not().and(keyBlock.eq(currentBlock))),
  );
  const topRegular = visible(landmark.not().and(keyBlock.eq(currentBlock)));
  const grouped = visible(landmark.not().and(keyBlock.lt(currentBlock)));
  // Masked keys score −∞: they drop out of every sum and weigh exp(−∞) = 0.
  const masked = keep === undefined ? score : where(keep, score, -Infinity);

  const topScores = where(top, masked, -Infinity);
  const topMax = max(topScores, -1, { keepDims: true });
  const safeTopMax = where(equal(topMax, -Infinity), 0, topMax);
  const topSum = sum(where(top, exp(sub(masked, safeTopMax)), 0), -1, { keepDims: true });
  const logSumExp = where(equal(topSum, 0), 0, add(safeTopMax, log(where(equal(topSum, 0), 1, topSum))));

  const tables = blockTables(keys, period);
  const members = add(
    gather(where(grouped, masked, -Infinity), literal(tables.members, [keys, period], 'i32'), 3),
    literal(tables.memberPenalty, [keys, period]),
  );
  const groupMax = max(members, -1);
  const safeGroupMax = where(equal(groupMax, -Infinity), 0, groupMax);
  const memberMax = max(members, -1, { keepDims: true });
  const groupSum = sum(exp(sub(members, where(equal(memberMax, -Infinity), 0, memberMax))), -1);
  const landmarkScores = add(
    gather(topScores, literal(tables.landmarks, [keys], 'i32'), 3),
    literal(tables.landmarkPenalty, [keys]),
  );
  const gate = exp(sub(landmarkScores, logSumExp));
  // The reference's guard: a block whose sum is < 0.5 (only an empty one, after the max) gives 0.
  const empty = greaterEqual(0.5, groupSum);
  const groupWeight = where(
    empty,
    0,
    div(mul(gate, exp(sub(masked, safeGroupMax))), where(empty, 1, groupSum)),
  );
  return where(topRegular, exp(sub(masked, logSumExp)), where(grouped, groupWeight, 0));
}

/**
 * Index tables of the gathers: for key k in block g, its block's keys g·P + r (r < P, clamped to
 * the last key) with −∞ where past the end, and its block's landmark g·P + P − 1 with −∞ where the
 * block has no landmark yet.
 */
function blockTables(keys: number, period: number) {
  const members: number[] = [];
  const memberPenalty: number[] = [];
  const landmarks: number[] = [];
  const landmarkPenalty: number[] = [];
  for (let k = 0; k < keys; k++) {
    const start = Math.floor(k / period) * period;
    for (let r = 0; r < period; r++) {
      members.push(Math.min(start + r, keys - 1));
      memberPenalty.push(start + r < keys ? 0 : -Infinity);
    }
    landmarks.push(Math.min(start + period - 1, keys - 1));
    landmarkPenalty.push(start + period - 1 < keys ? 0 : -Infinity);
  }
  return { members, memberPenalty, landmarks, landmarkPenalty };
}
