import type { Expr, TensorRef } from '@weft/ir';
import type { L1Map, LengthScale, Reweight } from './l1-normalizers.js';
import type { OutputNorm } from './row-statistics-normalizers.js';
import type { PLaplacianAnchorScale, ThresholdCompensation } from './softmax-normalizers.js';

export type { HeadParameter } from './head-parameter.js';
export * from './l1-normalizers.js';
export * from './row-statistics-normalizers.js';
export * from './softmax-normalizers.js';

/**
 * How scores of a row become weights. Every parameter is an Expr over the head index `h` (a
 * constant, or a read of a `[heads]` tensor), so learned per-head values need no special case.
 * - `softmax`: exp(s − m)/Σ, optional sink logit added to the denominator (gpt-oss; off-by-one = sink 0).
 * - `sigmoid`: σ(s + bias), no row statistics (FlashSigmoid).
 * - `reluSquared`: relu(s)² / Nk (ReLU² attention divided by the key count).
 * - `l1`: f(c_i·s) / Σ f(c_i·s) with f = relu, softplus or a Taylor polynomial (FAST), an optional
 *   length scale c_i (LSSA) and an optional re-weighting stage (LSSAR).
 * - `topTheta`: softmax over the scores at or above a calibrated threshold, with a compensation
 *   policy; the threshold stays a tensor (`[heads]` or `[heads, queries]`) so that its shape is
 *   checked against the call.
 * - `entmax`: α-entmax, [(α−1)s − τ]₊^{1/(α−1)} with τ by bisection (α = 2: sparsemax).
 * - `nap`: standardization of the kept scores, g·(s − μ)/σ + b (NAP).
 * - `identity`: the scores themselves, no division; the output row is normalized instead (TransNormer).
 * - `groupedSoftmax`: Landmark Attention's grouped softmax (a landmark closes every block of keys).
 * - `pLaplacian`: softmax weights re-weighted by a power of the distance between a query-side
 *   feature row and each value row, renormalized with a pull towards the feature row (p-Adapter).
 */
export type Normalizer =
  | { readonly kind: 'normalizer'; readonly name: 'softmax'; readonly sink: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'sigmoid'; readonly bias: Expr | undefined }
  | { readonly kind: 'normalizer'; readonly name: 'reluSquared' }
  | {
      readonly kind: 'normalizer';
      readonly name: 'l1';
      readonly map: L1Map;
      readonly lengthScale: LengthScale;
      readonly reweight: Reweight | undefined;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'topTheta';
      readonly threshold: TensorRef;
      readonly compensation: ThresholdCompensation;
    }
  | { readonly kind: 'normalizer'; readonly name: 'entmax'; readonly alpha: Expr }
  | {
      readonly kind: 'normalizer';
      readonly name: 'nap';
      readonly gain: Expr;
      readonly bias: Expr;
      readonly epsilon: number;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'identity';
      readonly outputNorm: OutputNorm;
      readonly epsilon: number;
    }
  | {
      readonly kind: 'normalizer';
      readonly name: 'pLaplacian';
      readonly features: TensorRef;
      readonly p: Expr;
      readonly mu: Expr;
      readonly epsilon: number;
      readonly anchorScale: PLaplacianAnchorScale;
    }
  | { readonly kind: 'normalizer'; readonly name: 'groupedSoftmax'; readonly blockSize: number };
