import {
  add,
  div,
  exp,
  log,
  logsumexp,
  maximum,
  mean,
  mul,
  type Node,
  neg,
  param,
  reshape,
  rsqrt,
  ShapeError,
  SpecError,
  slice,
  sub,
  sum,
} from '@weft/ir';
import { expectFloatTensor, expectNonNegative, resolveAxes, staticDim } from './norm-checks.js';

/** Options of {@link gaussianAdaptiveAttention}. */
export interface GaussianAdaptiveAttentionOptions {
  /** The axis the statistics and the weights' sum run over (`norm_axis`; negative counts from the end). Default `-1`. */
  readonly axis?: number;
  /** Heads: the axis splits into this many equal chunks, each with its own parameters. Default `1`. */
  readonly heads?: number;
  /** Gaussians G multiplied per head. Default `1`. */
  readonly gaussians?: number;
  /** Added to the unbiased variance, and the floor of the weights' sum. Default `1e-8` (the reference's). */
  readonly eps?: number;
  /** Layer name: prefixes parameter names and appears in errors. Default `'gaam'`. */
  readonly name?: string;
}

/**
 * Gaussian Adaptive Attention (Ioannides et al., "Gaussian Adaptive Attention is All You Need",
 * catalog paper 69): a normalization-gating layer. Along `axis`, split into `heads` equal chunks, with
 * μ and the unbiased σ² of each chunk (σ² + ε), each Gaussian g of a head scores every element,
 *
 * `N_g(x) = exp(−z_g² / (2c_g²)) / √(2π c_g²)`, `z_g = (x − (μ + δ_g)) / √(σ² + ε)`,
 *
 * the weights w = Π_g N_g are divided by max(Σ_chunk w, ε), and y = x ⊙ w. Computed in log space
 * (Σ_g log N_g, then w / max(Σw, ε) = exp(log w − max(logsumexp(log w), log ε))), which is exact and
 * does not underflow where the product of Gaussians would. Parameters `${name}.meanOffsets` (δ) and
 * `${name}.scales` (c), both `[heads, gaussians]` (the reference initializes δ = 0 and c ~ N(0, 1);
 * only c² matters). The axis size must be a multiple of `heads` (the reference's last chunk takes a
 * remainder) and each chunk must hold at least 2 elements (unbiased variance). The reference's
 * `padding_value` (elements equal to it are left unchanged) is not provided.
 *
 * Shapes: `x` is any float tensor; the output has its shape.
 *
 * @example
 * ```ts
 * const y = gaussianAdaptiveAttention(input('x', [4, 37, 96]), { heads: 4, gaussians: 3, name: 'gaam' });
 * // params gaam.meanOffsets, gaam.scales: [4, 3]
 * ```
 */
export function gaussianAdaptiveAttention(x: Node, options: GaussianAdaptiveAttentionOptions = {}): Node {
  const name = options.name ?? 'gaam';
  const heads = options.heads ?? 1;
  const gaussians = options.gaussians ?? 1;
  const eps = options.eps ?? 1e-8;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  positiveInteger(name, 'heads', heads);
  positiveInteger(name, 'gaussians', gaussians);
  const [axis] = resolveAxes(name, 'x', x, options.axis ?? -1) as [number];
  const size = staticDim(name, 'x', x.shape[axis]!, axis);
  const chunk = size / heads;
  if (!Number.isInteger(chunk) || chunk < 2)
    throw new ShapeError('the normalized axis must split into heads chunks of at least 2 elements', {
      block: name,
      tensor: 'x',
      dimension: axis,
      expected: `a multiple of heads (${heads}), at least ${2 * heads}`,
      actual: size,
    });
  // [..., heads, chunk, ...]: statistics run over the chunk axis, parameters broadcast per head.
  const chunks = reshape(x, [...x.shape.slice(0, axis), heads, chunk, ...x.shape.slice(axis + 1)]);
  const chunkAxis = axis + 1;
  const deviation = sub(chunks, mean(chunks, [chunkAxis], { keepDims: true }));
  const variance = mul(sum(mul(deviation, deviation), [chunkAxis], { keepDims: true }), 1 / (chunk - 1));
  const inverseStd = rsqrt(add(variance, eps));
  const headView = [heads, 1, ...x.shape.slice(axis + 1).map(() => 1)];
  const offsets = param(`${name}.meanOffsets`, [heads, gaussians], x.dtype);
  const scales = param(`${name}.scales`, [heads, gaussians], x.dtype);
  const column = (table: Node, g: number) => reshape(slice(table, [0, g], [heads, g + 1]), headView);
  let logWeight: Node | undefined;
  for (let g = 0; g < gaussians; g++) {
    const z = mul(sub(deviation, column(offsets, g)), inverseStd);
    const variance2 = mul(mul(column(scales, g), column(scales, g)), 2);
    // log N_g = −z²/(2c²) − ½ log(2π c²) = −z²/(2c²) − ½ log(π · 2c²).
    const logDensity = sub(neg(div(mul(z, z), variance2)), mul(log(mul(variance2, Math.PI)), 0.5));
    logWeight = logWeight === undefined ? logDensity : add(logWeight, logDensity);
  }
  const total = logsumexp(logWeight!, [chunkAxis], { keepDims: true });
  const floor = eps > 0 ? maximum(total, Math.log(eps)) : total;
  const weights = exp(sub(logWeight!, floor));
  return reshape(mul(chunks, weights), x.shape);
}

function positiveInteger(layer: string, option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new SpecError(`option ${option} must be an integer >= 1`, {
      block: layer,
      expected: 'integer >= 1',
      actual: value,
    });
}
