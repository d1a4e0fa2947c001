import { abs, add, mul, type Node, sub } from '@weft/ir';
import { normalizedParameter } from './layer-parameters.js';
import { expectFloatTensor, expectNonNegative, expectShape, resolveAxes } from './norm-checks.js';
import { unitNormalize } from './row-statistics.js';

/** Options of {@link hypersphereNormalize}. */
export interface HypersphereNormalizeOptions {
  /**
   * Lower bound on the norm, `x / max(‖x‖₂, ε)`. Default `1e-6`. nGPT's `justnorm` has no ε: the
   * result is identical for every row whose norm is at least ε, and `0` reproduces the code exactly.
   */
  readonly eps?: number;
  /** Layer name used in errors. Default `'hypersphere'`. */
  readonly name?: string;
}

/**
 * nGPT's normalization onto the unit hypersphere (Loshchilov et al., catalog paper 85):
 * `norm(x) = x / ‖x‖₂` over the last axis, no mean subtraction and no gain.
 *
 * Shapes: `x` is `[..., d]`; the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const h = hypersphereNormalize(input('h', [4, 128, 1024]));
 * ```
 */
export function hypersphereNormalize(x: Node, options: HypersphereNormalizeOptions = {}): Node {
  const name = options.name ?? 'hypersphere';
  const eps = options.eps ?? 1e-6;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  return unitNormalize(x, resolveAxes(name, 'x', x, -1), eps);
}

/** Options of {@link sphericalResidual}. */
export interface SphericalResidualOptions extends HypersphereNormalizeOptions {
  /**
   * nGPT's reparametrization: the effective step is `|α_stored| · alphaScale`
   * (`alpha_init_value / alpha_init_scaling`, e.g. `0.05 · √d`). Default `1`.
   */
  readonly alphaScale?: number;
}

/**
 * nGPT's spherical interpolated residual (catalog paper 85, `Block.forward` of NVIDIA/ngpt):
 *
 * `h ← norm(norm(h) + |α| ⊙ (norm(u) − norm(h)))`,
 *
 * a step from `h` towards the block output `u` along the sphere, with a learned per-dim step
 * `α` (`${name}.alpha`, `[d]`, used as `|α|` as in the code). Three row reductions over the same
 * row: one fused kernel.
 *
 * Shapes: `h` and `update` are `[..., d]`; the output has their shape.
 *
 * @example
 * ```ts
 * const h = input('h', [2, 64, 512]);
 * const attentionOutput = input('attentionOutput', [2, 64, 512]);
 * const next = sphericalResidual(h, attentionOutput, { name: 'blocks.0.attnAlpha', alphaScale: 0.05 * Math.sqrt(512) });
 * ```
 */
export function sphericalResidual(h: Node, update: Node, options: SphericalResidualOptions = {}): Node {
  const name = options.name ?? 'sphericalResidual';
  const eps = options.eps ?? 1e-6;
  const alphaScale = options.alphaScale ?? 1;
  expectFloatTensor(name, 'h', h);
  expectNonNegative(name, 'eps', eps);
  expectNonNegative(name, 'alphaScale', alphaScale);
  expectShape(name, 'update', update, h.shape);
  const axes = resolveAxes(name, 'h', h, -1);
  const alpha = abs(normalizedParameter(name, `${name}.alpha`, h, axes));
  const step = alphaScale === 1 ? alpha : mul(alpha, alphaScale);
  const from = unitNormalize(h, axes, eps);
  const towards = unitNormalize(update, axes, eps);
  return unitNormalize(add(from, mul(step, sub(towards, from))), axes, eps);
}
