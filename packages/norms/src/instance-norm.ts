import { add, astype, broadcastTo, div, maximum, mul, type Node, reshape, rsqrt, sub, sum } from '@weft/ir';
import { channelParameter } from './layer-parameters.js';
import { expectFloatTensor, expectMinimumRank, expectNonNegative, expectShape } from './norm-checks.js';
import { standardize } from './row-statistics.js';

/** Options of {@link instanceNorm}. */
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
  const normalized =
    options.mask === undefined
      ? standardize(x, axes, eps)
      : maskedStandardize(name, x, options.mask, axes, eps);
  if (options.affine !== true) return normalized;
  return add(
    mul(normalized, channelParameter(name, `${name}.gamma`, x)),
    channelParameter(name, `${name}.beta`, x),
  );
}

/** Standardizes over `axes` counting only positions where `mask` is set; padded outputs are 0. */
function maskedStandardize(name: string, x: Node, mask: Node, axes: readonly number[], eps: number): Node {
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
  const variance = div(sum(mul(deviation, deviation), axes, { keepDims: true }), count);
  return mul(deviation, rsqrt(add(variance, eps)));
}
