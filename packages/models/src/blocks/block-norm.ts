import { SpecError } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';
import { isNormLayer, type NormLayer, type NormLayerOptions, toNormLayer } from './norm-layer.js';

/**
 * Where a block normalizes, as a value:
 * - `pre` (GPT-2, Llama): `x + F(norm(x))`;
 * - `post` (original Transformer, BERT): `norm(x + F(x))`;
 * - `sandwich` (hybrid norm, as in CogView, Gemma 2 and the sigmoid-attention paper): `x + norm'(F(norm(x)))`.
 */
export type NormPlacement = 'pre' | 'post' | 'sandwich';

/** nGPT's hypersphere block norm (see {@link BlockNorm}). */
export interface HypersphereBlockNorm {
  /**
   * nGPT (Loshchilov et al. 2024): the stream stays on the unit sphere and each sublayer is a
   * spherical step `h ← norm(h + |α| ⊙ (norm(F(h)) − h))` with learned `${name}.attnAlpha`,
   * `${name}.mlpAlpha` (`[d]`). The input must already be unit-norm.
   */
  readonly kind: 'hypersphere';
  /** nGPT's α reparametrization scale (`alpha_init / alpha_scaling`). Default 1. */
  readonly alphaScale?: number;
}

/**
 * A block's normalization: any norm layer (pre-norm), a norm layer with its placement, the legacy
 * `{ kind: 'rmsnorm' | 'layernorm', eps, placement }`, or nGPT's hypersphere.
 */
export type BlockNorm =
  | NormLayer
  | {
      /** The norm layer of every norm slot of the block. */
      readonly layer: NormLayer;
      /** Where the norms sit. Default `pre`. */
      readonly placement?: NormPlacement;
    }
  | (NormLayerOptions & {
      /** Where the norms sit. Default `pre`. */
      readonly placement?: NormPlacement;
    })
  | HypersphereBlockNorm;

/** A block norm resolved: a layer and its placement, or the hypersphere. */
export type ResolvedBlockNorm =
  | { readonly kind: 'layer'; readonly layer: NormLayer; readonly placement: NormPlacement }
  | { readonly kind: 'hypersphere'; readonly alphaScale: number };

const PLACEMENTS: readonly NormPlacement[] = ['pre', 'post', 'sandwich'];

/**
 * Resolves a block's `norm` option, checking it exactly: `block` is the builder and path for
 * messages (`transformer block "layers.2"`), `path` the block path.
 */
export function resolveBlockNorm(norm: BlockNorm, block: string, path: string): ResolvedBlockNorm {
  if (isNormLayer(norm)) return { kind: 'layer', layer: norm, placement: 'pre' };
  checkExactOptions(block, path, norm, ['kind', 'eps', 'placement', 'layer', 'alphaScale'], 'norm');
  const given = norm as Record<string, unknown>;
  if (given.kind === 'hypersphere') {
    checkExactOptions(block, path, norm, ['kind', 'alphaScale'], 'norm');
    return { kind: 'hypersphere', alphaScale: (given.alphaScale as number | undefined) ?? 1 };
  }
  const placement = (given.placement as NormPlacement | undefined) ?? 'pre';
  if (!PLACEMENTS.includes(placement)) {
    throw new SpecError(`${block}: unknown norm placement`, {
      block: path,
      expected: "'pre' | 'post' | 'sandwich'",
      actual: String(placement),
    });
  }
  if ('layer' in given) {
    checkExactOptions(block, path, norm, ['layer', 'placement'], 'norm');
    if (!isNormLayer(given.layer)) {
      throw new SpecError(
        `${block}: norm.layer must be a norm layer (rmsNormLayer(), layerNormLayer(), ...)`,
        {
          block: path,
          expected: 'a NormLayer value',
          actual: typeof given.layer,
        },
      );
    }
    return { kind: 'layer', layer: given.layer, placement };
  }
  checkExactOptions(block, path, norm, ['kind', 'eps', 'placement'], 'norm');
  const { placement: _placement, ...layerOptions } = norm as unknown as NormLayerOptions & {
    placement?: NormPlacement;
  };
  return { kind: 'layer', layer: toNormLayer(layerOptions, path), placement };
}
