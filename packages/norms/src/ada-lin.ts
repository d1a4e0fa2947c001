import { add, maximum, minimum, mul, type Node, param, rsqrt, SpecError, sub } from '@weft/ir';
import { channelView } from './layer-parameters.js';
import {
  expectFloatTensor,
  expectMinimumRank,
  expectNonNegative,
  expectShape,
  staticDim,
} from './norm-checks.js';
import { moments } from './row-statistics.js';

/** Variance estimator of AdaLIN/ILN: population (`/n`, the paper and TensorFlow original) or unbiased (`/(n−1)`, the PyTorch port's `torch.var`). */
export type VarianceEstimator = 'population' | 'unbiased';

/** Options shared by {@link adaLin} and {@link instanceLayerNorm}. */
export interface LayerInstanceMixOptions {
  /** Added to each variance inside the square root. Default `1e-5`. */
  readonly eps?: number;
  /** Variance estimator. Default `'population'` (the paper; catalog "Known ambiguities"). */
  readonly variance?: VarianceEstimator;
  /** Layer name: prefixes parameter names (`${name}.rho`, ...) and appears in errors. */
  readonly name?: string;
}

/** Options of {@link adaLin}. */
export interface AdaLinOptions extends LayerInstanceMixOptions {
  /** Per-sample scale `γ`, `[B, C]` (from the generator's conditioning MLP). */
  readonly gamma: Node;
  /** Per-sample shift `β`, `[B, C]`. */
  readonly beta: Node;
}

/**
 * Adaptive Layer-Instance Normalization, AdaLIN (U-GAT-IT, catalog paper 1): a learned per-channel
 * mixture of instance-normalized and layer-normalized activations with per-sample affine parameters,
 *
 * `â_I = (x − μ_I)/√(σ²_I + ε)` over `(H, W)`, `â_L = (x − μ_L)/√(σ²_L + ε)` over `(C, H, W)`,
 * `y = γ ⊙ (ρ ⊙ â_I + (1 − ρ) ⊙ â_L) + β`, `ρ` clipped to `[0, 1]` in the forward pass.
 *
 * Both variances are two-pass (mean of squared deviations), over trailing axes of the same tensor.
 * Parameters: `${name}.rho` `[C]` (initialized to 0.9 in training). Shapes: `x` is
 * `[B, C, ...spatial]`; `γ`, `β` are `[B, C]`; the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 256, 64, 64]);
 * const y = adaLin(x, { gamma: input('gamma', [1, 256]), beta: input('beta', [1, 256]), name: 'decoder.block1.norm1' });
 * ```
 */
export function adaLin(x: Node, options: AdaLinOptions): Node {
  const name = options.name ?? 'adaLin';
  const mixed = mixInstanceAndLayer(name, x, options);
  expectShape(name, 'gamma', options.gamma, [x.shape[0]!, x.shape[1]!]);
  expectShape(name, 'beta', options.beta, [x.shape[0]!, x.shape[1]!]);
  return add(mul(mixed, channelView(options.gamma, x.rank)), channelView(options.beta, x.rank));
}

/**
 * Instance-Layer Normalization, ILN (U-GAT-IT's up-sampling blocks, catalog paper 1): the
 * {@link adaLin} mixture with learned per-channel `γ` (`${name}.gamma`, `[C]`), `β` (`${name}.beta`)
 * and `ρ` (`${name}.rho`, initialized to 0 in training), `ρ` clipped to `[0, 1]`.
 *
 * @example
 * ```ts
 * const y = instanceLayerNorm(input('x', [1, 128, 128, 128]), { name: 'upBlock2.0.norm' });
 * ```
 */
export function instanceLayerNorm(x: Node, options: LayerInstanceMixOptions = {}): Node {
  const name = options.name ?? 'iln';
  const mixed = mixInstanceAndLayer(name, x, options);
  const channels = staticDim(name, 'x', x.shape[1]!, 1);
  const gamma = channelView(param(`${name}.gamma`, [channels], x.dtype), x.rank);
  const beta = channelView(param(`${name}.beta`, [channels], x.dtype), x.rank);
  return add(mul(mixed, gamma), beta);
}

/** `ρ ⊙ â_I + (1 − ρ) ⊙ â_L` with `ρ = clip(${name}.rho, 0, 1)`. */
function mixInstanceAndLayer(name: string, x: Node, options: LayerInstanceMixOptions): Node {
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  expectMinimumRank(name, 'x', x, 3, 'channels-first [B, C, ...spatial] with at least one spatial axis');
  const channels = staticDim(name, 'x', x.shape[1]!, 1);
  const spatialAxes = x.shape.map((_, axis) => axis).slice(2);
  const instance = moments(x, spatialAxes);
  const layer = moments(x, x.shape.map((_, axis) => axis).slice(1));
  let instanceVariance = instance.variance;
  let layerVariance = layer.variance;
  if (options.variance === 'unbiased') {
    const perInstance = spatialAxes.reduce(
      (count, axis) => count * staticDim(name, 'x', x.shape[axis]!, axis),
      1,
    );
    if (perInstance < 2) {
      throw new SpecError('the unbiased variance needs at least 2 spatial positions', {
        block: name,
        tensor: 'x',
        expected: '>= 2 positions per instance',
        actual: perInstance,
      });
    }
    instanceVariance = mul(instanceVariance, perInstance / (perInstance - 1));
    layerVariance = mul(layerVariance, (perInstance * channels) / (perInstance * channels - 1));
  }
  const instanceNormalized = mul(sub(x, instance.mean), rsqrt(add(instanceVariance, eps)));
  const layerNormalized = mul(sub(x, layer.mean), rsqrt(add(layerVariance, eps)));
  const rho = channelView(minimum(maximum(param(`${name}.rho`, [channels], x.dtype), 0), 1), x.rank);
  return add(mul(rho, instanceNormalized), mul(sub(1, rho), layerNormalized));
}
