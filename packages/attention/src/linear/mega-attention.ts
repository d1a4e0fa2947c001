import { constant, type Expr, type Node, param, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal, chunked } from '../masks/builtin-masks.js';
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
 *
 * With `chunk` c (fairseq's chunked attention, Mega-chunk), a query sees only the keys of its own
 * chunk of c positions (block-diagonal, and causal within it when causal); n counts the keys it
 * sees in its chunk. Keys of other chunks may lie beyond the bias table: their index is clamped
 * (their weights are masked).
 */
export function megaAttention(
  operands: { readonly query: Node; readonly key: Node; readonly value: Node },
  options: {
    readonly name: string;
    readonly causal: boolean;
    readonly attentionFunction: MegaAttentionFunction;
    readonly maxPositions: number;
    readonly past?: Node;
    readonly chunk?: number;
  },
): Node {
  const { chunk } = options;
  const { name, attentionFunction: fn, maxPositions: positions } = options;
  const pastName = `${name}.past`;
  const past =
    options.past === undefined ? undefined : tensorRef(pastName, [options.past.shape[0] as number], 'i32');
  const [, , , zDim] = operands.query.shape as number[];
  const [, , , hDim] = operands.value.shape as number[];
  const biasName = `${name}.relPosBias`;
  const table = tensorRef(biasName, [2 * positions - 1]);
  const biasOf = (position: Expr, k: Expr) => {
    const index = k.sub(position).add(positions - 1);
    return table.at(
      chunk === undefined ? index : index.max(constant(0, 'i32')).min(constant(2 * positions - 2, 'i32')),
    );
  };
  const masks: Mask[] = [];
  if (options.causal) masks.push(causal());
  if (past !== undefined) masks.push(filledSlots(past));
  if (chunk !== undefined) masks.push(past === undefined ? chunked(chunk) : cachedChunks(chunk, past));
  const spec = attention({
    heads: 1,
    headDim: zDim!,
    valueDim: hDim!,
    name: `${name}.attention`,
    ...(masks.length === 0 ? {} : { mask: masks.length === 1 ? masks[0]! : and(...masks) }),
    ...(fn === 'softmax'
      ? {
          score: scoreMod(
            (score, { q, k, queryLength, keyLength }) =>
              score.add(biasOf(q.add(keyLength).sub(queryLength), k)),
            'megaRelativeBias',
          ),
        }
      : {
          score: [scale(1), elementScore(fn, { isCausal: options.causal, biasOf, past, chunk })],
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

/** The chunks of c positions of a right-aligned cache: slot k holds position k − (Nk − Nq − past[b]). */
function cachedChunks(chunk: number, past: ReturnType<typeof tensorRef>): Mask {
  const { b, q, k, keyLength, queryLength } = ATTENTION_INDICES;
  const shift = keyLength.sub(queryLength).sub(past.at(b));
  const chunkOf = (position: Expr) => position.div(constant(chunk, 'i32'));
  return makeMask(
    `megaCacheChunks(${chunk}, past)`,
    chunkOf(q.add(past.at(b))).eq(chunkOf(k.sub(shift))),
    { empty: constant(0, 'bool'), full: constant(0, 'bool') },
    { roles: { [past.name]: ['batch'] } },
  );
}

/** How {@link elementScore} counts a query's keys and reads the bias. */
interface ElementScoreOptions {
  readonly isCausal: boolean;
  readonly biasOf: (position: Expr, k: Expr) => Expr;
  readonly past: ReturnType<typeof tensorRef> | undefined;
  readonly chunk: number | undefined;
}

/** f(s / n + b) for Mega's element attention: n = the keys a query sees. */
function elementScore(fn: 'laplace' | 'relu2', { isCausal, biasOf, past, chunk }: ElementScoreOptions) {
  return scoreMod(
    (score, { b, q, k, queryLength, keyLength }) => {
      const position = q.add(keyLength).sub(queryLength);
      // Under a cache, the query's place in the sequence is past[b] + q (its slot is `position`).
      const absolute = past === undefined ? position : past.at(b).add(q);
      const size = constant(chunk ?? 1, 'i32');
      const chunkStart = absolute.div(size).mul(size);
      const seen =
        chunk === undefined
          ? isCausal
            ? absolute.add(1)
            : keyLength
          : isCausal
            ? absolute.sub(chunkStart).add(1)
            : keyLength.sub(chunkStart).min(size);
      const visible = seen.cast('f32');
      const s = score.div(visible).add(biasOf(position, k));
      if (fn === 'relu2') {
        const positive = s.max(0);
        return positive.mul(positive);
      }
      const standardized = s.sub(LAPLACE_MEAN).div(LAPLACE_STD * Math.SQRT2);
      return constant(1).add(standardized.apply('erf')).mul(0.5);
    },
    `mega${fn === 'relu2' ? 'Relu2' : 'Laplace'}${chunk === undefined ? '' : 'Chunked'}`,
  );
}
