import { type Node, SpecError } from '@weft/ir';
import {
  type FixNormOptions,
  fixNorm,
  type HypersphereNormalizeOptions,
  hypersphereNormalize,
  type L2NormOptions,
  type LayerNormOptions,
  l2Norm,
  layerNorm,
  type RmsNormOptions,
  rmsNorm,
  type ScaleNormOptions,
  type SimpleRmsNormOptions,
  scaleNorm,
  simpleRmsNorm,
} from '@weft/norms';
import { checkExactOptions } from './exact-options.js';
import type { NormLayer } from './norm-layer.js';

/** Options of {@link rmsNormLayer}: `rmsNorm`'s, less the axes (a block normalizes the last one) and the name. */
export type RmsNormLayerOptions = Omit<RmsNormOptions, 'axes' | 'name'>;
/** Options of {@link layerNormLayer}: `layerNorm`'s, less the axes and the name. */
export type LayerNormLayerOptions = Omit<LayerNormOptions, 'axes' | 'name'>;
/** Options of {@link simpleRmsNormLayer}: `simpleRmsNorm`'s, less the name. */
export type SimpleRmsNormLayerOptions = Omit<SimpleRmsNormOptions, 'name'>;
/** Options of {@link scaleNormLayer}: `scaleNorm`'s, less the name. */
export type ScaleNormLayerOptions = Omit<ScaleNormOptions, 'name'>;
/** Options of {@link l2NormLayer}: `l2Norm`'s, less the axis and the name. */
export type L2NormLayerOptions = Omit<L2NormOptions, 'axis' | 'name'>;
/** Options of {@link fixNormLayer}: `fixNorm`'s, less the name. */
export type FixNormLayerOptions = Omit<FixNormOptions, 'name'>;
/** Options of {@link hypersphereNormLayer}: `hypersphereNormalize`'s, less the name. */
export type HypersphereNormLayerOptions = Omit<HypersphereNormalizeOptions, 'name'>;

/**
 * A norm layer over the last axis that reads no condition: `build(x, path, options)` with the
 * options checked here, exactly against `allowed` (an unknown key names the constructor). The
 * constructors below are made with it; so can a custom row norm be.
 *
 * @example
 * ```ts
 * const centered = rowNormLayer('center', {}, [], (x, path) => sub(x, mean(x, [-1], { keepDims: true })));
 * ```
 */
export function rowNormLayer<Options extends object>(
  name: string,
  options: Options,
  allowed: readonly string[],
  build: (x: Node, path: string, options: Options) => Node,
): NormLayer {
  checkExactOptions(`${name}Layer`, name, options, allowed);
  const frozen = Object.freeze({ ...options });
  return Object.freeze({
    kind: 'normLayer',
    name,
    conditioned: false,
    apply: (x: Node, path: string) => build(x, path, frozen),
  });
}

/**
 * RMSNorm as a block's norm layer (Zhang & Sennrich 2019): `g ⊙ x / √(mean(x²) + ε)`, gain
 * `${path}.gamma` `[d]`. ε defaults to `1e-6` (`rmsNorm`'s default).
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 128]);
 * const feedForward = { kind: 'swiglu', hidden: 344 } as const;
 * transformerBlock(x, { attention: { heads: 8, headDim: 16 }, mlp: feedForward, norm: rmsNormLayer({ eps: 1e-6 }) }, 'layers.0');
 * ```
 */
export function rmsNormLayer(options: RmsNormLayerOptions = {}): NormLayer {
  return rowNormLayer('rmsNorm', options, ['eps', 'epsPlacement', 'gain'], (x, name, given) =>
    rmsNorm(x, { ...given, name }),
  );
}

/**
 * LayerNorm as a block's norm layer (Ba et al. 2016): `γ ⊙ (x − μ)/√(σ² + ε) + β`, parameters
 * `${path}.gamma`, `${path}.beta` `[d]` (none with `affine: false`; no β with `bias: false`).
 *
 * @example
 * ```ts
 * const norm = { layer: layerNormLayer({ eps: 1e-12 }), placement: 'post' } as const; // BERT
 * ```
 */
export function layerNormLayer(options: LayerNormLayerOptions = {}): NormLayer {
  return rowNormLayer('layerNorm', options, ['eps', 'affine', 'bias'], (x, name, given) =>
    layerNorm(x, { ...given, name }),
  );
}

/**
 * Simple RMSNorm (TransNormerLLM): RMSNorm without a gain, no parameters.
 *
 * @example
 * ```ts
 * const norm = simpleRmsNormLayer({ variant: 'transnormer-llm' });
 * ```
 */
export function simpleRmsNormLayer(options: SimpleRmsNormLayerOptions = {}): NormLayer {
  return rowNormLayer('simpleRmsNorm', options, ['variant', 'eps'], (x, name, given) =>
    simpleRmsNorm(x, { ...given, name }),
  );
}

/**
 * ScaleNorm (Nguyen & Salazar 2019): `g · x / max(‖x‖₂, ε)`, one learned scalar `${path}.scale` `[1]`.
 *
 * @example
 * ```ts
 * const norm = scaleNormLayer({ eps: 1e-5 });
 * ```
 */
export function scaleNormLayer(options: ScaleNormLayerOptions = {}): NormLayer {
  return rowNormLayer('scaleNorm', options, ['eps'], (x, name, given) => scaleNorm(x, { ...given, name }));
}

/**
 * ℓ₂ normalization of each row, `s ⊙ x / max(‖x‖₂, ε)`, with an optional learned scale
 * `${path}.scale` (`[1]` for `'scalar'`, `[d]` for `'vector'`).
 *
 * @example
 * ```ts
 * const norm = l2NormLayer({ scale: 'vector' });
 * ```
 */
export function l2NormLayer(options: L2NormLayerOptions = {}): NormLayer {
  return rowNormLayer('l2Norm', options, ['eps', 'scale'], (x, name, given) => l2Norm(x, { ...given, name }));
}

/**
 * FixNorm (Nguyen & Salazar 2019): each row rescaled to a fixed length `s` (default `√d`), no parameters.
 *
 * @example
 * ```ts
 * const norm = fixNormLayer({ scale: 4 });
 * ```
 */
export function fixNormLayer(options: FixNormLayerOptions = {}): NormLayer {
  return rowNormLayer('fixNorm', options, ['scale', 'eps'], (x, name, given) =>
    fixNorm(x, { ...given, name }),
  );
}

/**
 * nGPT's projection onto the unit sphere, `x / ‖x‖₂`, as a plain norm layer (no parameters). The
 * whole nGPT block, with its spherical residual, is `norm: { kind: 'hypersphere' }`.
 *
 * @example
 * ```ts
 * const norm = hypersphereNormLayer();
 * ```
 */
export function hypersphereNormLayer(options: HypersphereNormLayerOptions = {}): NormLayer {
  return rowNormLayer('hypersphere', options, ['eps'], (x, name, given) =>
    hypersphereNormalize(x, { ...given, name }),
  );
}

/** Throws the error of a conditioned layer applied without its condition. */
export function missingCondition(layer: string, path: string, expected: string): never {
  throw new SpecError(
    `norm "${path}": ${layer} needs a conditioning input (the block's option "condition")`,
    {
      block: path,
      tensor: 'condition',
      expected,
      actual: 'none',
    },
  );
}
