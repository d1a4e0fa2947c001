import { constant, type Expr, type Node, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { identity as unnormalized } from '../normalizers/identity.js';
import { attention } from '../spec/attention-spec.js';
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
 */
export function megaAttention(
  operands: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: {
    readonly name: string;
    readonly causal: boolean;
    readonly attentionFunction: MegaAttentionFunction;
    readonly maxPositions: number;
  },
): Node {
  const { name, attentionFunction: fn, maxPositions: positions } = options;
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
    ...(options.causal ? { mask: causal() } : {}),
    ...(fn === 'softmax'
      ? {
          score: scoreMod(
            (score, { q, k, queryLength, keyLength }) =>
              score.add(biasOf(q.add(keyLength).sub(queryLength), k)),
            'megaRelativeBias',
          ),
        }
      : {
          score: [scale(1), elementScore(fn, options.causal, biasOf)],
          normalizer: unnormalized({ outputNorm: 'none' }),
        }),
  });
  return applyAttention(spec, {
    ...operands,
    tensors: { [biasName]: param(biasName, [2 * positions - 1]) },
  }).output;
}

/** f(s / n + b) for Mega's element attention: n = the keys a query sees. */
function elementScore(fn: 'laplace' | 'relu2', isCausal: boolean, biasOf: (position: Expr, k: Expr) => Expr) {
  return scoreMod(
    (score, { q, k, queryLength, keyLength }) => {
      const position = q.add(keyLength).sub(queryLength);
      const visible = (isCausal ? position.add(1) : keyLength).cast('f32');
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
