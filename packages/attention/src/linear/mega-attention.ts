import { constant, type Expr, type Node, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { type Mask, makeMask } from '../masks/mask.js';
import { identity as unnormalized } from '../normalizers/identity.js';
import { attention } from '../spec/attention-spec.js';
import { ATTENTION_INDICES, BLOCK_BOUNDS } from '../spec/attention-variables.js';
import { scale, scoreMod } from '../spec/score-mods.js';

/** Mega's attention function: softmax, or an element-wise f(q kᵀ / n + b) with no row sum. */
export type MegaAttentionFunction = 'softmax' | 'laplace' | 'relu2';

// fairseq's laplace: ½[1 + erf((x − μ)/(σ√2))], μ = √(1/2), σ = √(1/(4π)).
const LAPLACE_MEAN = Math.sqrt(0.5);
const LAPLACE_STD = Math.sqrt(1 / (4 * Math.PI));

/**
 * Mega's single-head attention over q, k `[B, 1, Nq|Nk, zDim]` and v `[B, 1, Nk, hDim]`, with the
 * learned relative bias b(i, j) = `${name}.relPosBias`[j − i + P − 1] (fairseq's
 * `SimpleRelativePositionalBias`). A query's position i is its index plus Nk − Nq (the last Nq
 * positions, as in decoding against cached keys). Softmax: softmax(q kᵀ/√zDim + b); laplace and
 * relu2: f(q kᵀ/n + b) with n the keys the query sees (Nk, or i + 1 when causal), masked weights 0.
 *
 * With `past` (`[B]` i32, causal only), the keys are a right-aligned cache of Nk slots whose last
 * past[b] + Nq hold the sequence: the leading empty slots are masked, and n counts the positions
 * of the sequence (past[b] + q + 1), not the slots. Distances, hence the bias, are the same in slots.
 */
export function megaAttention(
  operands: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: {
    readonly name: string;
    readonly causal: boolean;
    readonly attentionFunction: MegaAttentionFunction;
    readonly maxPositions: number;
    readonly past?: Node;
  },
): Node {
  const { name, attentionFunction: fn, maxPositions: positions } = options;
  const pastName = `${name}.past`;
  const past =
    options.past === undefined ? undefined : tensorRef(pastName, [options.past.shape[0] as number], 'i32');
  const [, , , zDim] = operands.query.shape as number[];
  const [, , , hDim] = operands.value.shape as number[];
  const biasName = `${name}.relPosBias`;
  const table = tensorRef(biasName, [2 * positions - 1]);
  const biasOf = (position: Expr, k: Expr) => table.at(k.sub(position).add(positions - 1));
  const spec = attention({
    heads: 1,
    headDim: zDim!,
    valueDim: hDim!,
    name: `${name}.attention`,
    ...(options.causal ? { mask: past === undefined ? causal() : and(causal(), filledSlots(past)) } : {}),
    ...(fn === 'softmax'
      ? {
          score: scoreMod(
            (score, { q, k, queryLength, keyLength }) =>
              score.add(biasOf(q.add(keyLength).sub(queryLength), k)),
            'megaRelativeBias',
          ),
        }
      : {
          score: [scale(1), elementScore(fn, options.causal, biasOf, past)],
          normalizer: unnormalized({ outputNorm: 'none' }),
        }),
  });
  return applyAttention(spec, {
    ...operands,
    tensors: {
      [biasName]: param(biasName, [2 * positions - 1]),
      ...(options.past === undefined ? {} : { [pastName]: options.past }),
    },
  }).output;
}

/** The slots of a right-aligned cache that hold positions: k ≥ Nk − Nq − past[b]. */
function filledSlots(past: ReturnType<typeof tensorRef>): Mask {
  const { b, k, keyLength, queryLength } = ATTENTION_INDICES;
  const start = keyLength.sub(queryLength).sub(past.at(b));
  return makeMask(
    'megaCacheSlots(past)',
    k.ge(start),
    { empty: BLOCK_BOUNDS.keyEnd.lt(start), full: BLOCK_BOUNDS.keyStart.ge(start) },
    { roles: { [past.name]: ['batch'] } },
  );
}

/** f(s / n + b) for Mega's element attention: n = the keys a query sees. */
function elementScore(
  fn: 'laplace' | 'relu2',
  isCausal: boolean,
  biasOf: (position: Expr, k: Expr) => Expr,
  past: ReturnType<typeof tensorRef> | undefined,
) {
  return scoreMod(
    (score, { b, q, k, queryLength, keyLength }) => {
      const position = q.add(keyLength).sub(queryLength);
      // Under a cache, the query's place in the sequence is past[b] + q (its slot is `position`).
      const seen = past === undefined ? position.add(1) : past.at(b).add(q).add(1);
      const visible = (isCausal ? seen : keyLength).cast('f32');
      const s = score.div(visible).add(biasOf(position, k));
      if (fn === 'relu2') {
        const positive = s.max(0);
        return positive.mul(positive);
      }
      const standardized = s.sub(LAPLACE_MEAN).div(LAPLACE_STD * Math.SQRT2);
      return constant(1).add(standardized.apply('erf')).mul(0.5);
    },
    `mega${fn === 'relu2' ? 'Relu2' : 'Laplace'}`,
  );
}
