import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES, SCORE_MOD_VARIABLES, type ScoreModVariables } from './attention-variables.js';
import { checkNumber, checkTensorRef, describeValue, genuinePart } from './validate.js';

/**
 * A pointwise change of the attention score, applied in the order given in the spec's `score`
 * list (ONNX and Gemma 2 apply softcap before additive biases and masks: list them that way).
 */
export interface ScoreMod {
  /** Discriminant. */
  readonly kind: 'scoreMod';
  /** Short description, e.g. `softcap(50)`. */
  readonly description: string;
  /** Whether this mod sets the scale, replacing the default 1/√headDim. */
  readonly setsScale: boolean;
  /** The new score as an Expr of the previous one. */
  apply(score: Expr): Expr;
}

/**
 * Multiplies the raw score q·k by `value`, replacing the default 1/√headDim: a number, a learned
 * scalar (`[1]` tensor, QKNorm's g) or a per-head temperature (`[heads]` tensor).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, score: scale(0.1) }); // replaces the default 1/√headDim
 * ```
 */
export function scale(value: number | TensorRef): ScoreMod {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SpecError('scale: the scale must be finite', { actual: value });
    return scoreModOf(`scale(${value})`, (score) => score.mul(value), true);
  }
  checkTensorRef('scale', 'the scale', value);
  const rank = value.shape.length;
  if (rank !== 1)
    throw new SpecError('scale: a scale tensor is [1] (shared) or [heads]', {
      tensor: value.name,
      expected: 'rank 1',
      actual: `rank ${rank}`,
    });
  const index = value.shape[0] === 1 ? constant(0, 'i32') : ATTENTION_INDICES.h;
  return scoreModOf(`scale(${value.name})`, (score) => score.mul(value.at(index)), true);
}

/**
 * Soft-capping (Gemma 2, Grok): score ← cap · tanh(score / cap).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), score: softcap(50) }); // Gemma 2
 * ```
 */
export function softcap(cap: number): ScoreMod {
  checkNumber('softcap', 'the cap', cap, { above: 0 });
  if (!(cap > 0) || !Number.isFinite(cap))
    throw new SpecError('softcap: the cap must be a finite number > 0', { actual: cap });
  return scoreModOf(`softcap(${cap})`, (score) => score.div(cap).apply('tanh').mul(cap));
}

/**
 * Adds a per-key bias `bias[k]` (`[keys]` tensor), e.g. a log-prior on key segments (Found in the Middle).
 *
 * @example
 * ```ts
 * const bias = tensorRef('keyBias', [128]); // one additive bias per key position
 * attention({ heads: 8, headDim: 64, score: keyBias(bias) });
 * ```
 */
export function keyBias(bias: TensorRef): ScoreMod {
  checkTensorRef('keyBias', 'the bias', bias);
  return scoreModOf(`keyBias(${bias.name})`, (score) => score.add(bias.at(ATTENTION_INDICES.k)));
}

/**
 * A custom score mod: an Expr of the score, the indices `{ b, h, q, k, queryLength, keyLength }`,
 * the key and value heads `kvHead` = ⌊h·kvHeads/heads⌋ and `valueHead` = ⌊h·valueHeads/heads⌋ (for
 * per-key tensors `[B, kvHeads, Nk]` under GQA)
 * and the per-pair L1 distance `l1Distance` = Σ_d |q_d − k_d| of the prepared rows (unscaled),
 * which may read captured tensors (`tensorRef(...).at(...)`). The kernels compute the L1 distance
 * only for score mods that read it: it is a scalar |q − k| loop next to the dot product (no matrix
 * path), so it costs about as much as a second dot product.
 *
 * @example
 * ```ts
 * const slopes = tensorRef('slopes', [8]);
 * scoreMod((score, { h, q, k }) => score.sub(slopes.at(h).mul(q.sub(k).apply('abs').cast('f32'))));
 * // Comateformer (catalog #23): tanh(α·s)·σ(−β·‖q − k‖₁).
 * scoreMod((score, { l1Distance }) => score.mul(2).apply('tanh').mul(l1Distance.mul(-0.5).apply('sigmoid')));
 * ```
 */
export function scoreMod(
  build: (score: Expr, variables: ScoreModVariables) => Expr,
  description = 'scoreMod',
): ScoreMod {
  if (typeof build !== 'function')
    throw new SpecError(`scoreMod: the score mod must be a function`, {
      actual: describeValue(build),
    });
  if (typeof description !== 'string')
    throw new SpecError(`scoreMod: the description must be a string`, {
      actual: describeValue(description),
    });
  return scoreModOf(description, (score) => {
    const result = build(score, SCORE_MOD_VARIABLES) as Expr | undefined;
    if (typeof result !== 'object' || result === null || !('dtype' in result) || !('kind' in result)) {
      throw new SpecError(`${description}: a score mod must return an f32 Expr`, {
        expected: 'an f32 Expr, e.g. score.add(bias.at(k))',
        actual: result === undefined ? 'undefined (did the function forget to return?)' : typeof result,
      });
    }
    if (result.dtype !== 'f32')
      throw new SpecError(`${description}: a score mod must return an f32 Expr`, {
        expected: 'f32',
        actual: result.dtype,
      });
    return result;
  });
}

function scoreModOf(description: string, apply: (score: Expr) => Expr, setsScale = false): ScoreMod {
  return genuinePart(Object.freeze({ kind: 'scoreMod', description, setsScale, apply }));
}
