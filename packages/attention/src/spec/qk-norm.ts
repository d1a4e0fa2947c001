import { SpecError } from '@weft/ir';
import { checkBoolean, checkOptions, genuinePart } from './validate.js';

/** The statistic a QK norm divides by: ℓ₂ norm, root mean square, or centered standard deviation. */
export type QkNormKind = 'l2' | 'rms' | 'layer';

/** The learned scale of a QK norm: none, one scalar `[1]`, or one value per head dim `[d]`. */
export type QkNormScale = 'none' | 'scalar' | 'vector';

/** Options of {@link qkNorm}. */
export interface QkNormOptions {
  /** Normalization (default `'rms'`, as in OLMo 2 and Qwen 3). */
  readonly kind?: QkNormKind;
  /** Learned scale γ (default `'vector'`). */
  readonly scale?: QkNormScale;
  /** ε (defaults as in `@weft/norms`: 1e-12 for `l2`, 1e-6 for `rms`, 1e-5 for `layer`). */
  readonly eps?: number;
  /** A learned shift β `[d]` after γ (`layer` with a `'vector'` scale only, as `nn.LayerNorm`; default false). */
  readonly bias?: boolean;
}

/** A QK-normalization part of an attention spec. */
export interface QkNorm {
  /** Discriminant. */
  readonly kind: 'qkNorm';
  /** Normalization. */
  readonly norm: QkNormKind;
  /** Learned scale. */
  readonly scale: QkNormScale;
  /** ε. */
  readonly epsilon: number;
  /** Whether a learned shift β follows the scale. */
  readonly bias: boolean;
}

/**
 * Normalizes every query and key row per head over the head dim d, before RoPE:
 *
 * - `l2`: x̂ = x / max(‖x‖₂, ε) (QKNorm, Henry et al. 2020, catalog paper 12);
 * - `rms`: x̂ = x / √(mean(x²) + ε) (OLMo 2, Qwen 3);
 * - `layer`: x̂ = (x − mean(x)) / √(var(x) + ε) (NViST's optional per-head LayerNorm, catalog paper 5);
 *
 * then y = γ ⊙ x̂ (+ β). Queries and keys have their own parameters, loaded by name:
 * `${block}.qNorm.gamma`, `${block}.kNorm.gamma` (`[1]` or `[d]`) and, with `bias`,
 * `${block}.qNorm.beta`, `${block}.kNorm.beta` (`[d]`). A per-dim γ does not commute with RoPE's
 * rotation, so the order is fixed: (weighted-GQA mix →) normalize → scale → rotate. QKNorm's
 * learned logit gain g (replacing 1/√d) is a score `scale(tensorRef(...))`, not part of this norm.
 *
 * @example
 * ```ts
 * const gain = tensorRef('gain', [8]); // a learned scale per head
 * attention({ heads: 8, headDim: 64, qkNorm: qkNorm({ kind: 'l2', scale: 'none' }), score: [scale(gain)] });
 * ```
 */
export function qkNorm(options: QkNormOptions = {}): QkNorm {
  checkOptions('qkNorm', options, ['kind', 'scale', 'eps', 'bias']);
  if (options.bias !== undefined) checkBoolean('qkNorm', 'option "bias"', options.bias);
  const norm = options.kind ?? 'rms';
  const scale = options.scale ?? 'vector';
  const bias = options.bias ?? false;
  if (norm !== 'l2' && norm !== 'rms' && norm !== 'layer')
    throw new SpecError('qkNorm: unknown kind', { expected: "'l2' | 'rms' | 'layer'", actual: String(norm) });
  if (scale !== 'none' && scale !== 'scalar' && scale !== 'vector')
    throw new SpecError('qkNorm: unknown scale', {
      expected: "'none' | 'scalar' | 'vector'",
      actual: String(scale),
    });
  const epsilon = options.eps ?? DEFAULT_EPSILON[norm];
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new SpecError('qkNorm: eps must be a finite number >= 0', { actual: epsilon });
  if (bias && (norm !== 'layer' || scale !== 'vector'))
    throw new SpecError("qkNorm: a bias exists for kind 'layer' with scale 'vector' only", {
      expected: "kind 'layer', scale 'vector'",
      actual: `kind '${norm}', scale '${scale}'`,
    });
  return genuinePart(Object.freeze({ kind: 'qkNorm', norm, scale, epsilon, bias }));
}

const DEFAULT_EPSILON: Readonly<Record<QkNormKind, number>> = { l2: 1e-12, rms: 1e-6, layer: 1e-5 };
