import { type Node, neg, softplus } from '@weft/ir';

/** The data-dependent operands of log-linear Mamba-2, from {@link logLinearGates}. */
export interface LogLinearGates {
  /** λ = softplus(levelLogits) ≥ 0 `[B, H, N, L]`: the weight of each Fenwick level. */
  readonly levelWeights: Node;
  /** a = −softplus(decayLogits) ≤ 0 `[B, H, N]`: Mamba-2's log decay per position. */
  readonly logDecay: Node;
}

/**
 * Log-linear Mamba-2's gates (catalog paper 109) from pre-activations: level weights
 * λ = softplus(·) ≥ 0 per head, position and level, and the log decay a = −softplus(·) ≤ 0 per
 * head and position. The softplus activations stand in for the paper's projections of x_t, whose
 * activations the catalog leaves to verify; the zoo entry and the model layer both use them.
 *
 * @example
 * ```ts
 * const { levelWeights, logDecay } = logLinearGates(input('levels', [1, 4, 24, 6]), input('decay', [1, 4, 24]));
 * ```
 */
export function logLinearGates(levelLogits: Node, decayLogits: Node): LogLinearGates {
  return { levelWeights: softplus(levelLogits), logDecay: neg(softplus(decayLogits)) };
}
