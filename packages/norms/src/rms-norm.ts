import { add, div, mul, type Node } from '@weft/ir';
import { normalizedParameter } from './layer-parameters.js';
import { expectFloatTensor, expectNonNegative, resolveAxes } from './norm-checks.js';
import { rootMeanSquare, scaledInverseRoot } from './row-statistics.js';

/** Where an RMS norm adds ε: under the square root (`√(mean(x²) + ε)`) or to the root (`√mean(x²) + ε`). */
export type EpsPlacement = 'inside' | 'outside';

/** Options of {@link rmsNorm}. */
export interface RmsNormOptions {
  /** Normalized axes. Default `[-1]`. */
  readonly axes?: number | readonly number[];
  /** Stabilizer. Default `1e-6`. */
  readonly eps?: number;
  /** Where ε goes. Default `'inside'` (Zhang & Sennrich, `F.rms_norm`, ONNX `RMSNormalization`, TransNormerLLM). */
  readonly epsPlacement?: EpsPlacement;
  /** Learn a gain `g` (parameter `${name}.gamma`). Default `true`. */
  readonly gain?: boolean;
  /** Layer name: prefixes parameter names and appears in errors. Default `'rmsNorm'`. */
  readonly name?: string;
}

/**
 * RMS normalization (Zhang & Sennrich 2019; the scaling-only ablation of catalog paper 34):
 *
 * `y = g ⊙ x / √(mean(x²) + ε)` (or `x / (√mean(x²) + ε)` with `epsPlacement: 'outside'`).
 *
 * Shapes: `x` is `[...batch, ...normalized]`; `g` is `[...normalized]`. The output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = rmsNorm(input('x', [8, 4096]), { name: 'layers.0.norm', eps: 1e-6 }); // param layers.0.norm.gamma: [4096]
 * ```
 */
export function rmsNorm(x: Node, options: RmsNormOptions = {}): Node {
  const name = options.name ?? 'rmsNorm';
  const eps = options.eps ?? 1e-6;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  const axes = resolveAxes(name, 'x', x, options.axes ?? [-1]);
  const normalized =
    options.epsPlacement === 'outside'
      ? div(x, add(rootMeanSquare(x, axes), eps))
      : scaledInverseRoot(x, axes, eps);
  return options.gain === false
    ? normalized
    : mul(normalized, normalizedParameter(name, `${name}.gamma`, x, axes));
}

/** Which paper's simple RMSNorm {@link simpleRmsNorm} reproduces. */
export type SimpleRmsNormVariant = 'transnormer-llm' | 'transnormer';

/** Options of {@link simpleRmsNorm}. */
export interface SimpleRmsNormOptions {
  /**
   * `'transnormer-llm'` (default): `x / √(mean(x²) + 1e-6)` (TransNormerLLM's `SimpleRMSNorm`);
   * `'transnormer'`: `x / (√mean(x²) + 1e-8)` (TransNormer v1: ε outside the root).
   */
  readonly variant?: SimpleRmsNormVariant;
  /** Overrides the variant's ε. */
  readonly eps?: number;
  /** Layer name used in errors. Default `'simpleRmsNorm'`. */
  readonly name?: string;
}

/**
 * Simple RMSNorm (SRMSNorm, catalog paper 19, TransNormerLLM): RMSNorm over the last axis with no
 * gain. The two TransNormer papers place ε differently (catalog "Known ambiguities"); `variant`
 * chooses, defaulting to TransNormerLLM's `x / √(mean(x²) + 1e-6)`.
 *
 * Shapes: `x` is `[...batch, d]`; no parameters.
 *
 * @example
 * ```ts
 * const y = simpleRmsNorm(input('x', [16, 512]));
 * ```
 */
export function simpleRmsNorm(x: Node, options: SimpleRmsNormOptions = {}): Node {
  const outside = options.variant === 'transnormer';
  return rmsNorm(x, {
    gain: false,
    eps: options.eps ?? (outside ? 1e-8 : 1e-6),
    epsPlacement: outside ? 'outside' : 'inside',
    name: options.name ?? 'simpleRmsNorm',
  });
}
