import { add, mul, type Node, rsqrt, sub } from '@weft/ir';
import { channelParameter } from './layer-parameters.js';
import { expectFloatTensor, expectMinimumRank, expectNonNegative } from './norm-checks.js';

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Added to the running variance inside the square root. Default `1e-5` (PyTorch, ONNX). */
  readonly eps?: number;
  /** Learn a per-channel gain `${name}.gamma` and bias `${name}.beta`, `[C]`. Default `true`. */
  readonly affine?: boolean;
  /** Layer name: prefixes parameter names and appears in errors. Default `'batchNorm'`. */
  readonly name?: string;
}

/**
 * Batch normalization in inference form (Ioffe & Szegedy 2015; SPADE's parameter-free norm, catalog
 * paper 61): the per-channel running statistics collected in training replace batch statistics,
 *
 * `y[b, c, ...] = γ_c (x[b, c, ...] − mean_c) / √(var_c + ε) + β_c`.
 *
 * Parameters (all `[C]`): `${name}.runningMean`, `${name}.runningVar`, and with `affine`
 * `${name}.gamma`, `${name}.beta`. Shapes: `x` is `[B, C, ...spatial]`; the output has `x`'s shape.
 * No reduction: it is one elementwise map and fuses into its neighbours.
 *
 * @example
 * ```ts
 * const y = batchNorm(input('x', [8, 64, 32, 32]), { name: 'resnet.layer1.0.bn1' });
 * ```
 */
export function batchNorm(x: Node, options: BatchNormOptions = {}): Node {
  const name = options.name ?? 'batchNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  expectMinimumRank(name, 'x', x, 2, 'channels-first [B, C, ...spatial]');
  const runningMean = channelParameter(name, `${name}.runningMean`, x);
  const runningVar = channelParameter(name, `${name}.runningVar`, x);
  const normalized = mul(sub(x, runningMean), rsqrt(add(runningVar, eps)));
  if (options.affine === false) return normalized;
  return add(
    mul(normalized, channelParameter(name, `${name}.gamma`, x)),
    channelParameter(name, `${name}.beta`, x),
  );
}
