import { SpecError, type TensorRef } from '@weft/ir';
import { type ScoreMod, scoreMod } from './score-mods.js';
import { checkTensorRef } from './validate.js';

/**
 * Lightning attention's decay (Qin et al., "Various Lengths, Constant Speed: Efficient Language
 * Modeling with Lightning Attention" and TransNormerLLM, catalog paper 63) as a score mod: multiplies
 * the score of query position p and key k by λ_h^{p−k} = exp(−slope_h·(p − k)), with p = q + Nk − Nq
 * (the causal mask's bottom-right alignment) and `slopes` a `[heads]` tensor (see
 * {@link lightningSlopes}). With `scale(1)`, `causal()` and `identity({ outputNorm: 'none' })` the
 * op computes the quadratic form O = [(QKᵀ) ⊙ D] V, D_pk = λ_h^{p−k} for k ≤ p, 0 otherwise, with no
 * normalizer (TransNormerLLM normalizes the output afterwards). The chunked linear (intra-block
 * quadratic + inter-block KV state) and recurrent decode forms are `@weft/attention/linear`'s, with
 * `lightningLinearDecay`.
 *
 * @example
 * ```ts
 * const slopes = tensorRef('lightning.slopes', [8]); // bound to lightningSlopes(8, layer, layers)
 * attention({
 *   heads: 8, headDim: 64, score: [scale(1), lightningDecay(slopes)], mask: causal(),
 *   normalizer: identity({ outputNorm: 'none' }),
 * });
 * ```
 */
export function lightningDecay(slopes: TensorRef): ScoreMod {
  checkTensorRef('lightningDecay', 'the slopes', slopes);
  if (slopes.shape.length !== 1 || slopes.dtype !== 'f32')
    throw new SpecError('lightningDecay: slopes must be a [heads] f32 tensor', {
      tensor: slopes.name,
      expected: '[heads] f32',
      actual: `[${slopes.shape.join(', ')}] ${slopes.dtype}`,
    });
  return scoreMod((score, { h, q, k, queryLength, keyLength }) => {
    const distance = q.add(keyLength.sub(queryLength)).sub(k).cast('f32');
    // exp(−slope·distance) per pair, never λ^distance by repeated products (which drifts in f32).
    return score.mul(slopes.at(h).mul(distance).neg().apply('exp'));
  }, `lightningDecay(${slopes.name})`);
}

/**
 * TransNormerLLM's decay rates for layer `layer` (0-based) of `layers`: the ALiBi slopes of `heads`
 * heads (Press et al.'s `get_slopes`: 2^(−8(h+1)/H) for a power of two H, otherwise every other slope
 * of the next power added) times (1 − layer/(layers − 1) + 1e-5), as the official `_build_slope_tensor`
 * and `slope_rate` compute them. λ_h = exp(−slope_h).
 *
 * @example
 * ```ts
 * lightningSlopes(4, 0, 2); // [0.25, 0.0625, 0.015625, 0.00390625] × 1.00001
 * ```
 */
export function lightningSlopes(heads: number, layer: number, layers: number): number[] {
  if (!Number.isInteger(heads) || heads < 1)
    throw new SpecError('lightningSlopes: heads must be an integer >= 1', {
      expected: '>= 1',
      actual: heads,
    });
  if (!Number.isInteger(layers) || layers < 2 || !Number.isInteger(layer) || layer < 0 || layer >= layers)
    throw new SpecError('lightningSlopes: layer must be an integer in [0, layers) with layers >= 2', {
      expected: `0 <= layer < layers, layers >= 2`,
      actual: `layer ${layer} of ${layers}`,
    });
  const factor = 1 - layer / (layers - 1) + 1e-5;
  return alibiSlopes(heads).map((slope) => slope * factor);
}

function alibiSlopes(heads: number): number[] {
  const powerOfTwoSlopes = (count: number) => {
    const start = 2 ** -(2 ** -(Math.log2(count) - 3));
    return Array.from({ length: count }, (_, i) => start * start ** i);
  };
  if (Number.isInteger(Math.log2(heads))) return powerOfTwoSlopes(heads);
  const power = 2 ** Math.floor(Math.log2(heads));
  const extra = alibiSlopes(2 * power).filter((_, i) => i % 2 === 0);
  return [...powerOfTwoSlopes(power), ...extra.slice(0, heads - power)];
}
