import {
  div,
  greaterEqual,
  log,
  mapElements,
  maximum,
  mul,
  type Node,
  relu,
  softplus,
  sub,
  sum,
  variable,
  where,
} from '@weft/ir';
import type { L1Attrs } from './l1.js';
import { keptCount } from './row-count.js';

/** l1 maps f(c·s)/Σ f(c·s), c = log_b(kept keys) with a length base, then LSSAR's re-weighting. */
export function l1Weights(normalizer: L1Attrs, score: Node, keep: Node | undefined): Node {
  const count = keptCount(score, keep);
  const scaled =
    normalizer.lengthBase === undefined
      ? score
      : mul(score, div(log(maximum(count, 1)), Math.log(normalizer.lengthBase)));
  const x = variable('$0');
  const map =
    normalizer.map === 'relu'
      ? relu(scaled)
      : normalizer.map === 'softplus'
        ? softplus(scaled)
        : mapElements(
            [scaled],
            normalizer.map === 'polynomial1' ? x.add(1) : x.mul(x).mul(0.5).add(x).add(1),
          );
  const weights = divideBySum(keep === undefined ? map : where(keep, map, 0));
  const reweight = normalizer.reweight;
  if (reweight === undefined) return weights;
  const base = reweight.form === 'power' ? weights : relu(sub(mul(count, weights), 1));
  const powered = mapElements([base], x.max(0).pow(reweight.power));
  return divideBySum(keep === undefined ? powered : where(keep, powered, 0));
}

/** x / Σ x over the row; a row whose sum is ≤ 0 gives 0. */
function divideBySum(x: Node): Node {
  const total = sum(x, -1, { keepDims: true });
  return where(greaterEqual(0, total), 0, div(x, where(greaterEqual(0, total), 1, total)));
}
