import {
  add,
  astype,
  broadcastTo,
  div,
  maximum,
  mul,
  type Node,
  reshape,
  rsqrt,
  SpecError,
  sub,
  sum,
} from '@weft/ir';
import { channelParameter } from './layer-parameters.js';
import { expectFloatTensor, expectMinimumRank, expectNonNegative, expectShape } from './norm-checks.js';
import { standardize } from './row-statistics.js';

/** Options of {@link instanceNorm}. */
/** Which variance a norm divides by: population (÷ n) or unbiased (÷ (n − 1)). */
export type VarianceKind = 'population' | 'unbiased';

export interface InstanceNormOptions {
  /** Added to the variance inside the square root. Default `1e-5` (PyTorch, ONNX). */
  readonly eps?: number;
  /** Learn a per-channel gain `${name}.gamma` and bias `${name}.beta`, `[C]`. Default `false` (PyTorch). */
  readonly affine?: boolean;
  /**
   * Valid positions of a padded batch, `[B, ...spatial]` (bool, or float 1 = valid, 0 = padding).
   * Statistics then cover valid positions only and padded outputs are 0; a fully padded instance
   * gives 0, never NaN.
   */
  readonly mask?: Node;
  /**
   * The variance: `'population'` (default; PyTorch `InstanceNorm`, ONNX) divides the squared
   * deviations by the count n, `'unbiased'` by n − 1 (the official AdaIN code's `var()`); a single
   * position (n = 1) divides by 1. Without a mask `'unbiased'` needs static spatial dims.
   */
  readonly variance?: VarianceKind;
  /** Layer name: prefixes parameter names and appears in errors. Default `'instanceNorm'`. */
  readonly name?: string;
}

/**
 * Instance normalization (Ulyanov et al. 2016): each (sample, channel) is standardized over its
 * spatial positions,
 *
 * `y[b, c, ...] = γ_c (x[b, c, ...] − μ_{b,c}) / √(σ²_{b,c} + ε) + β_c`;
 *
 * with a mask `m`, `μ = Σ m x / Σ m` and `σ² = Σ m (x − μ)² / Σ m` (SAIN's masked statistics over
 * valid frames, catalog papers 3 and 4).
 *
 * Shapes: `x` is `[B, C, ...spatial]` (spatial axes are trailing, so it fuses into one `row` kernel);
 * `mask` is `[B, ...spatial]`; `γ`, `β` are `[C]`. The output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = instanceNorm(input('mel', [4, 80, 200]), {
 *   mask: input('valid', [4, 200], 'bool'),
 *   name: 'decoder.norm',
 * });
 * ```
 */
export function instanceNorm(x: Node, options: InstanceNormOptions = {}): Node {
  const name = options.name ?? 'instanceNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  expectMinimumRank(name, 'x', x, 3, 'channels-first [B, C, ...spatial] with at least one spatial axis');
  const axes = x.shape.map((_, axis) => axis).slice(2);
  const variance = options.variance ?? 'population';
  if (variance !== 'population' && variance !== 'unbiased')
    throw new SpecError(`${name}: variance must be 'population' or 'unbiased'`, {
      expected: "'population' | 'unbiased'",
      actual: variance,
    });
  const unbiased = variance === 'unbiased';
  const normalized =
    options.mask === undefined
      ? unbiased
        ? unbiasedStandardize(name, x, axes, eps)
        : standardize(x, axes, eps)
      : maskedStandardize(name, x, options.mask, axes, eps, unbiased);
  if (options.affine !== true) return normalized;
  return add(
    mul(normalized, channelParameter(name, `${name}.gamma`, x)),
    channelParameter(name, `${name}.beta`, x),
  );
}

/** Standardizes over `axes` counting only positions where `mask` is set; padded outputs are 0. */
function maskedStandardize(
  name: string,
  x: Node,
  mask: Node,
  axes: readonly number[],
  eps: number,
  unbiased: boolean,
): Node {
  expectShape(name, 'mask', mask, [x.shape[0]!, ...x.shape.slice(2)]);
  const weight = reshape(mask.dtype === x.dtype ? mask : astype(mask, x.dtype), [
    x.shape[0]!,
    1,
    ...x.shape.slice(2),
  ]);
  // Counting over the mask broadcast to x's shape keeps every reduction in one row domain (one kernel).
  // A fully padded instance counts one position: its statistics are 0 and its output stays 0.
  const count = maximum(sum(broadcastTo(weight, x.shape), axes, { keepDims: true }), 1);
  const average = div(sum(mul(x, weight), axes, { keepDims: true }), count);
  const deviation = mul(sub(x, average), weight);
  const divisor = unbiased ? maximum(sub(count, 1), 1) : count;
  const variance = div(sum(mul(deviation, deviation), axes, { keepDims: true }), divisor);
  return mul(deviation, rsqrt(add(variance, eps)));
}

/**
 * (x − μ)/√(σ²·n/(n − 1) + ε) = √((n − 1)/n) · (x − μ)/√(σ² + ε(n − 1)/n): the population
 * standardization with a scaled ε, times a constant (n static; n = 1 keeps the population form).
 */
function unbiasedStandardize(name: string, x: Node, axes: readonly number[], eps: number): Node {
  const n = axes.reduce((product, axis) => {
    const size = x.shape[axis]!;
    if (typeof size !== 'number')
      throw new SpecError(`${name}: variance 'unbiased' without a mask needs static spatial dims`, {
        expected: 'static spatial dims (or a mask)',
        actual: String(size),
      });
    return product * size;
  }, 1);
  if (n === 1) return standardize(x, axes, eps);
  return mul(standardize(x, axes, (eps * (n - 1)) / n), Math.sqrt((n - 1) / n));
}
