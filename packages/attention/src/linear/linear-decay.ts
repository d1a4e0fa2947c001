import { SpecError } from '@weft/ir';
import { lightningSlopes } from '../spec/lightning-decay.js';

/**
 * A constant decay per head: the past state is multiplied by γ_h at every position, so key j
 * weighs γ_h^(i−j) in the output of query i (causal linear attention only).
 */
export interface LinearDecay {
  /** γ_h for each head, each in (0, 1]. */
  readonly rates: readonly number[];
  /** How it was made, for descriptions (`retention(4)`). */
  readonly description: string;
}

/**
 * A decay with the given rates γ_h (one per head, each in (0, 1]).
 *
 * @example
 * ```ts
 * linearAttention({ heads: 2, headDim: 16, featureMap: identity(), causal: true, decay: constantDecay([0.9, 0.99]) });
 * ```
 */
export function constantDecay(rates: readonly number[], description?: string): LinearDecay {
  if (rates.length === 0)
    throw new SpecError('constantDecay: give one rate per head', { expected: '>= 1 rate', actual: 0 });
  rates.forEach((rate, head) => {
    if (!(Number.isFinite(rate) && rate > 0 && rate <= 1))
      throw new SpecError('constantDecay: every rate must be in (0, 1]', {
        dimension: `head ${head}`,
        expected: '0 < γ <= 1',
        actual: rate,
      });
  });
  return { rates: Object.freeze([...rates]), description: description ?? `constantDecay(${rates.length})` };
}

/**
 * RetNet's retention decay (Sun et al. 2023, "Retentive Network"): γ_h = 1 − 2^(−5−h) for head h
 * = 0 … heads − 1 (1 − 1/32, 1 − 1/64, …).
 *
 * @example
 * ```ts
 * retentionDecay(4).rates; // [0.96875, 0.984375, 0.9921875, 0.99609375]
 * ```
 */
export function retentionDecay(heads: number): LinearDecay {
  checkHeads('retentionDecay', heads);
  return constantDecay(
    Array.from({ length: heads }, (_, h) => 1 - 2 ** (-5 - h)),
    `retentionDecay(${heads})`,
  );
}

/**
 * Lightning attention's decay (catalog paper 63, TransNormerLLM paper 19) for layer `layer` of
 * `layers`: γ_h = λ_h = exp(−slope_h), with the slopes of `lightningSlopes` (ALiBi slopes times
 * 1 − layer/(layers − 1) + 1e-5).
 *
 * @example
 * ```ts
 * lightningLinearDecay(4, 2, 6).rates[0]; // exp(−0.25 · 0.60001)
 * ```
 */
export function lightningLinearDecay(heads: number, layer: number, layers: number): LinearDecay {
  checkHeads('lightningLinearDecay', heads);
  return constantDecay(
    lightningSlopes(heads, layer, layers).map((slope) => Math.exp(-slope)),
    `lightningDecay(layer ${layer} of ${layers})`,
  );
}

function checkHeads(name: string, heads: number): void {
  if (!Number.isInteger(heads) || heads < 1)
    throw new SpecError(`${name}: heads must be an integer >= 1`, { expected: '>= 1', actual: heads });
}
