import { mul, type Node, param } from '@weft/ir';
import { expectFloatTensor, expectNonNegative, resolveAxes } from './norm-checks.js';
import { unitNormalize } from './row-statistics.js';

/** Options of {@link scaleNorm}. */
export interface ScaleNormOptions {
  /** Lower bound on the norm. Default `1e-5` (tnq177/transformers_without_tears). */
  readonly eps?: number;
  /** Layer name: the gain is the parameter `${name}.scale`. Default `'scaleNorm'`. */
  readonly name?: string;
}

/**
 * ScaleNorm (Nguyen & Salazar 2019, "Transformers without Tears", catalog paper 28):
 *
 * `y = g · x / max(‖x‖₂, ε)` over the last axis, with one learned scalar `g` (initialized to √d in training).
 *
 * Shapes: `x` is `[...batch, d]`; `g` (`${name}.scale`) is `[1]`. The output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = scaleNorm(input('x', [32, 512]), { name: 'encoder.0.norm' }); // param encoder.0.norm.scale: [1]
 * ```
 */
export function scaleNorm(x: Node, options: ScaleNormOptions = {}): Node {
  const name = options.name ?? 'scaleNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  const axes = resolveAxes(name, 'x', x, -1);
  return mul(unitNormalize(x, axes, eps), param(`${name}.scale`, [1], x.dtype));
}
