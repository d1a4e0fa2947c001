import { add, astype, mul, type Node, reshape } from '@weft/ir';
import { linearChunks } from './conditioning.js';
import { instanceNorm, type VarianceKind } from './instance-norm.js';
import { channelView } from './layer-parameters.js';
import { expectFloatTensor, expectMinimumRank, expectShape, staticDim } from './norm-checks.js';

/** How a style-conditioned norm applies its scale: `γ` (AdaIN, StyleGAN) or `1 + γ` (DiT/SPADE-style residual scale). */
export type StyleScale = 'gamma' | 'onePlusGamma';

/** Options of {@link adaIn}. */
export interface AdaInOptions {
  /** Added to the variance inside the square root. Default `1e-5`. */
  readonly eps?: number;
  /** `'gamma'` (default): `γ ⊙ x̂ + β`; `'onePlusGamma'`: `(1 + γ) ⊙ x̂ + β`. */
  readonly scale?: StyleScale;
  /**
   * Instance variance: `'population'` (default, ÷ n, as PyTorch `InstanceNorm` and StyleGAN) or
   * `'unbiased'` (÷ (n − 1), as the official AdaIN code, which uses `torch.var`).
   */
  readonly variance?: VarianceKind;
  /** Valid positions `[B, ...spatial]` of a padded batch: statistics over valid positions, padded outputs 0 (see {@link instanceNorm}). */
  readonly mask?: Node;
  /** Layer name: prefixes parameter names and appears in errors. Default `'adaIn'`. */
  readonly name?: string;
}

/**
 * Adaptive instance normalization with a learned style projection (Huang & Belongie 2017 in the
 * StyleGAN form): instance statistics of `x`, and a per-sample affine map whose `γ`, `β` come from a
 * style vector `s` through one linear layer,
 *
 * `[γ, β] = s W + b`,  `y = γ ⊙ (x − μ) / √(σ² + ε) + β` (or `(1 + γ) ⊙ ...` with `scale: 'onePlusGamma'`).
 *
 * Parameters: `${name}.style.weight` `[d_s, 2C]` (γ columns, then β) and `${name}.style.bias` `[2C]`.
 * Shapes: `x` is `[B, C, ...spatial]`, `style` is `[B, d_s]`; the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = adaIn(input('content', [1, 256, 32, 32]), input('style', [1, 512]), { name: 'synthesis.4.adain' });
 * ```
 */
export function adaIn(x: Node, style: Node, options: AdaInOptions = {}): Node {
  const name = options.name ?? 'adaIn';
  expectFloatTensor(name, 'x', x);
  expectMinimumRank(name, 'x', x, 3, 'channels-first [B, C, ...spatial] with at least one spatial axis');
  const channels = staticDim(name, 'x', x.shape[1]!, 1);
  expectShape(name, 'style', style, [x.shape[0]!, style.shape[1] ?? 1]);
  const [gamma, beta] = linearChunks(name, `${name}.style`, style, 2, channels) as [Node, Node];
  const normalized = instanceNorm(x, {
    name,
    ...(options.eps === undefined ? {} : { eps: options.eps }),
    ...(options.variance === undefined ? {} : { variance: options.variance }),
    ...maskOption(options.mask),
  });
  const scale = options.scale === 'onePlusGamma' ? add(gamma, 1) : gamma;
  const y = add(mul(normalized, channelView(scale, x.rank)), channelView(beta, x.rank));
  // Padded positions stay 0, as in the masked instance norm (the shift would otherwise leak into them).
  return options.mask === undefined
    ? y
    : mul(y, reshape(astype(options.mask, x.dtype), [x.shape[0]!, 1, ...x.shape.slice(2)]));
}

/** Options of {@link styleAdaptiveInstanceNorm}. */
export type StyleAdaptiveInstanceNormOptions = AdaInOptions;

/**
 * Style-Adaptive Instance Normalization, SAIN (DurIAN-E and DurIAN-E 2, catalog papers 4 and 3):
 * AdaIN over the time axis of `[B, C, T]` features with statistics over valid frames only
 * (`mask`, `[B, T]`) and `γ`, `β = Linear(d_s → C)` of a style vector.
 *
 * `y = g(s) ⊙ (h − μ) / √(σ² + ε) + b(s)`.
 *
 * The papers publish no code, and whether the scale is `g` or `1 + g` is unknown (catalog "Known
 * ambiguities"): `scale` chooses, default `'gamma'` (by analogy with AdaIN and Meta-StyleSpeech's
 * SALN). Parameters: `${name}.style.weight` `[d_s, 2C]`, `${name}.style.bias` `[2C]`.
 *
 * @example
 * ```ts
 * const h = input('hidden', [4, 256, symbolicDim('frames', { max: 1000 })]);
 * const y = styleAdaptiveInstanceNorm(h, input('style', [4, 128]), {
 *   mask: input('valid', [4, symbolicDim('frames', { max: 1000 })], 'bool'),
 *   name: 'decoder.0.sain',
 * });
 * ```
 */
export function styleAdaptiveInstanceNorm(
  h: Node,
  style: Node,
  options: StyleAdaptiveInstanceNormOptions = {},
): Node {
  return adaIn(h, style, { ...options, name: options.name ?? 'sain' });
}

function maskOption(mask: Node | undefined): { mask?: Node } {
  return mask === undefined ? {} : { mask };
}
