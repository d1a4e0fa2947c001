import { add, mul, type Node } from '@weft/ir';
import { normalizedParameter } from './layer-parameters.js';
import { expectFloatTensor, expectNonNegative, resolveAxes } from './norm-checks.js';
import { standardize } from './row-statistics.js';

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** Normalized axes (negative count from the end). Default `[-1]`; ONNX `axis = k` is `[k, ..., -1]`. */
  readonly axes?: number | readonly number[];
  /** Added to the variance inside the square root. Default `1e-5` (PyTorch, ONNX). */
  readonly eps?: number;
  /** Learn a gain `γ` (parameter `${name}.gamma`). Default `true`. */
  readonly affine?: boolean;
  /** Learn a bias `β` (parameter `${name}.beta`) when `affine`. Default `true`. */
  readonly bias?: boolean;
  /** Layer name: prefixes parameter names and appears in errors. Default `'layerNorm'`. */
  readonly name?: string;
}

/**
 * Layer normalization (Ba et al. 2016; catalog paper 34 analyses its role in attention):
 *
 * `y = γ ⊙ (x − μ) / √(σ² + ε) + β`, with `μ` and the population variance `σ²` taken over the
 * normalized axes (ε inside the square root, as `F.layer_norm` and ONNX `LayerNormalization`).
 *
 * Shapes: `x` is `[...batch, ...normalized]` (normalized axes may be anywhere; trailing ones fuse
 * into one `row` kernel); `γ` and `β` are `[...normalized]`. The output has `x`'s shape.
 *
 * @example
 * ```ts
 * const x = input('x', [symbolicDim('tokens', { max: 512 }), 768]);
 * const y = layerNorm(x, { name: 'blocks.0.ln1' }); // params blocks.0.ln1.gamma, blocks.0.ln1.beta: [768]
 * ```
 */
export function layerNorm(x: Node, options: LayerNormOptions = {}): Node {
  const name = options.name ?? 'layerNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  const axes = resolveAxes(name, 'x', x, options.axes ?? [-1]);
  const normalized = standardize(x, axes, eps);
  if (options.affine === false) return normalized;
  const scaled = mul(normalized, normalizedParameter(name, `${name}.gamma`, x, axes));
  return options.bias === false ? scaled : add(scaled, normalizedParameter(name, `${name}.beta`, x, axes));
}
