import { add, mul, type Node, param, reshape, SpecError } from '@weft/ir';
import { expectFloatTensor, expectMinimumRank, expectNonNegative, staticDim } from './norm-checks.js';
import { standardize } from './row-statistics.js';

/** Options of {@link groupNorm}. */
export interface GroupNormOptions {
  /** Number of channel groups `G`; must divide `C`. */
  readonly groups: number;
  /** Added to the variance inside the square root. Default `1e-5` (PyTorch, ONNX). */
  readonly eps?: number;
  /** Learn a per-channel gain `${name}.gamma` and bias `${name}.beta`, `[C]`. Default `true`. */
  readonly affine?: boolean;
  /** Layer name: prefixes parameter names and appears in errors. Default `'groupNorm'`. */
  readonly name?: string;
}

/**
 * Group normalization (Wu & He 2018; the "normalize over axes S" family of catalog paper 61):
 * channels are split into `G` groups and each (sample, group) is standardized over its channels and
 * all spatial positions, then a per-channel affine map is applied:
 *
 * `y[b, c, ...] = γ_c (x[b, c, ...] − μ_{b,g(c)}) / √(σ²_{b,g(c)} + ε) + β_c`.
 *
 * Shapes: `x` is `[B, C, ...spatial]`; `γ`, `β` are `[C]`. The output has `x`'s shape. The graph views
 * `x` as `[B, G, C/G, ...spatial]` so that the reduced axes are trailing.
 *
 * @example
 * ```ts
 * const y = groupNorm(input('x', [2, 64, 16, 16]), { groups: 32, name: 'unet.down.0.norm' });
 * ```
 */
export function groupNorm(x: Node, options: GroupNormOptions): Node {
  const name = options.name ?? 'groupNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  expectMinimumRank(name, 'x', x, 2, 'channels-first [B, C, ...spatial]');
  const channels = staticDim(name, 'x', x.shape[1]!, 1);
  const groups = options.groups;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new SpecError('the group count must divide the channel count', {
      block: name,
      tensor: 'x',
      dimension: 1,
      expected: `a divisor of C = ${channels}`,
      actual: groups,
    });
  }
  const spatial = x.shape.slice(2);
  const grouped = reshape(x, [x.shape[0]!, groups, channels / groups, ...spatial]);
  const reduced = grouped.shape.map((_, axis) => axis).slice(2);
  let y = standardize(grouped, reduced, eps);
  if (options.affine !== false) {
    const view = [groups, channels / groups, ...spatial.map(() => 1)];
    const gamma = reshape(param(`${name}.gamma`, [channels], x.dtype), view);
    const beta = reshape(param(`${name}.beta`, [channels], x.dtype), view);
    y = add(mul(y, gamma), beta);
  }
  return reshape(y, x.shape);
}
