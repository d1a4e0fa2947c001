import {
  add,
  concat,
  cos,
  gather,
  input,
  literal,
  mul,
  type Node,
  param,
  reshape,
  silu,
  sin,
  withLabel,
} from '@weft/ir';
import { linear } from './linear.js';

/**
 * The sinusoidal timestep embedding of DiT (and of ADM / Stable Diffusion with `flip_sin_to_cos`):
 * with half = F/2 and `f_i = maxPeriod^(−i/half)`, `emb(t) = [cos(t·f), sin(t·f)]`, `[B]` → `[B, F]`.
 *
 * @example
 * ```ts
 * const embedded = timestepEmbedding(input('timestep', [2]), 256); // [2, 256]
 * ```
 */
export function timestepEmbedding(timestep: Node, frequencies: number, maxPeriod = 10_000): Node {
  const half = frequencies / 2;
  const rates = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  const batch = timestep.shape[0]!;
  const angles = mul(reshape(timestep, [batch, 1]), literal(rates, [1, half]));
  return concat([cos(angles), sin(angles)], 1);
}

/** What makes the conditioning vector of {@link conditioningVector}. */
export interface ConditioningVectorOptions {
  /** Sequences per run (the inputs' length). */
  readonly batch: number;
  /** Width of the vector (the model width). */
  readonly dModel: number;
  /** The timestep input and its embedding; none when absent. */
  readonly timestep?: { readonly frequencies: number; readonly maxPeriod: number };
  /** Rows of the class-label table; no class labels when absent. */
  readonly classes?: number;
}

/**
 * DiT's conditioning vector `c` `[batch, dModel]`: with `timestep`, the input `timestep` `[batch]`
 * through {@link timestepEmbedding} and a two-layer SiLU MLP (`timestep.fc1.*`, `timestep.fc2.*`);
 * with `classes`, plus the row of the label table `classEmbedding` `[classes, dModel]` that the
 * input `classLabels` `[batch]` (i32) picks (`c = t + y`; either alone is `c`). Undefined with neither.
 *
 * @example
 * ```ts
 * const c = conditioningVector({ batch: 2, dModel: 64, timestep: { frequencies: 256, maxPeriod: 10_000 }, classes: 10 });
 * ```
 */
export function conditioningVector(options: ConditioningVectorOptions): Node | undefined {
  const { batch, dModel, timestep, classes } = options;
  const timestepCondition =
    timestep === undefined
      ? undefined
      : withLabel('timestep', () => {
          const embedded = timestepEmbedding(
            input('timestep', [batch]),
            timestep.frequencies,
            timestep.maxPeriod,
          );
          const hidden = silu(
            linear(embedded, {
              outFeatures: dModel,
              weight: 'timestep.fc1.weight',
              bias: 'timestep.fc1.bias',
            }),
          );
          return linear(hidden, {
            outFeatures: dModel,
            weight: 'timestep.fc2.weight',
            bias: 'timestep.fc2.bias',
          });
        });
  if (classes === undefined) return timestepCondition;
  return withLabel('classEmbedding', () => {
    const label = gather(param('classEmbedding', [classes, dModel]), input('classLabels', [batch], 'i32'));
    return timestepCondition === undefined ? label : add(timestepCondition, label);
  });
}
