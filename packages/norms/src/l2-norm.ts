import { mul, type Node, param } from '@weft/ir';
import { normalizedParameter } from './layer-parameters.js';
import { expectFloatTensor, expectNonNegative, resolveAxes } from './norm-checks.js';
import { unitNormalize } from './row-statistics.js';

/** The learned scale of {@link l2Norm}: none, one scalar, or one value per element of the normalized axis. */
export type L2NormScale = 'none' | 'scalar' | 'vector';

/** Options of {@link l2Norm}. */
export interface L2NormOptions {
  /** Normalized axis. Default `-1` (the head dim for Q/K normalization). */
  readonly axis?: number;
  /** Lower bound on the norm, `x / max(‖x‖₂, ε)`. Default `1e-12` (`F.normalize`, QKNorm's code). */
  readonly eps?: number;
  /** Learned scale (parameter `${name}.scale`): `[1]` for `'scalar'`, `[d]` for `'vector'`. Default `'none'`. */
  readonly scale?: L2NormScale;
  /** Layer name: prefixes the parameter name and appears in errors. Default `'l2Norm'`. */
  readonly name?: string;
}

/**
 * ℓ₂ normalization along an axis with an optional learned scale:
 *
 * `y = s ⊙ x / max(‖x‖₂, ε)`.
 *
 * QKNorm (Henry et al. 2020, catalog paper 12) normalizes queries and keys per head and learns one
 * scalar (it scales the logits: use `'scalar'` on `q`, or put it in the attention score scale);
 * nGPT (catalog paper 85) learns a per-dim `s_qk` (`'vector'`).
 *
 * Shapes: `x` is `[..., d, ...]` with `d` on `axis`; `s` is `[1]` or `[d]`. The output has `x`'s shape.
 *
 * @example
 * ```ts
 * const q = input('q', [2, 8, 128, 64]); // [batch, heads, tokens, headDim]
 * const qHat = l2Norm(q, { scale: 'vector', name: 'attn.qNorm' }); // param attn.qNorm.scale: [64]
 * ```
 */
export function l2Norm(x: Node, options: L2NormOptions = {}): Node {
  const name = options.name ?? 'l2Norm';
  const eps = options.eps ?? 1e-12;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  const axes = resolveAxes(name, 'x', x, options.axis ?? -1);
  const normalized = unitNormalize(x, axes, eps);
  switch (options.scale ?? 'none') {
    case 'none':
      return normalized;
    case 'scalar':
      return mul(normalized, param(`${name}.scale`, [1], x.dtype));
    case 'vector':
      return mul(normalized, normalizedParameter(name, `${name}.scale`, x, axes));
  }
}
