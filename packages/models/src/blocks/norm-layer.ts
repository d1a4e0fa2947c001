import { type Node, SpecError, withLabel } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';
import { layerNormLayer, rmsNormLayer } from './norm-layers.js';

/**
 * A normalization layer as a value: what a block's norm slot takes. `apply` normalizes a
 * `[B, S, d]` stream over its last axis with parameters named under `path` (`${path}.gamma`, ...).
 * Conditional layers (`conditioned`) also read a conditioning input, which the block passes from
 * its own `condition` option. Make them with {@link rmsNormLayer}, {@link layerNormLayer}, the
 * other constructors of `norm-layers.ts`, or the conditional ones ({@link adaptiveLayerNorm},
 * {@link taskLayerNormLayer}).
 */
export interface NormLayer {
  /** Discriminant. */
  readonly kind: 'normLayer';
  /** The layer's name, e.g. `rmsNorm` (for messages and plans). */
  readonly name: string;
  /** Whether `apply` needs a conditioning input. */
  readonly conditioned: boolean;
  /**
   * Normalizes `x` `[B, ..., d]`, parameters under `path`; `condition` feeds a conditioned layer.
   * Throws a `SpecError` naming `path` when a conditioned layer gets no condition.
   */
  apply(x: Node, path: string, condition?: Node): Node;
}

/** The legacy norm options: RMSNorm (gain `${name}.gamma`) or LayerNorm (`.gamma`, `.beta`). */
export interface NormLayerOptions {
  /** `rmsnorm` (Zhang & Sennrich) or `layernorm` (Ba et al.). */
  readonly kind: 'rmsnorm' | 'layernorm';
  /** Stabilizer added to the mean square or variance. Default `1e-5`. */
  readonly eps?: number;
}

/** What {@link normLayer} takes: a norm-layer value or the legacy options. */
export type NormLayerLike = NormLayer | NormLayerOptions;

/**
 * Whether `value` is a {@link NormLayer} (rather than legacy options).
 *
 * @example
 * ```ts
 * isNormLayer(rmsNormLayer()); // true
 * isNormLayer({ kind: 'rmsnorm' }); // false
 * ```
 */
export function isNormLayer(value: unknown): value is NormLayer {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'normLayer' &&
    typeof (value as { apply?: unknown }).apply === 'function'
  );
}

/**
 * The {@link NormLayer} a norm slot's value stands for: a norm layer as is, or the legacy
 * `{ kind: 'rmsnorm' | 'layernorm', eps }` mapped to {@link rmsNormLayer} / {@link layerNormLayer}
 * (ε `1e-5` when absent, as before). `block` names the slot in errors.
 *
 * @example
 * ```ts
 * toNormLayer({ kind: 'rmsnorm', eps: 1e-6 }, 'finalNorm').name; // 'rmsNorm'
 * ```
 */
export function toNormLayer(norm: NormLayerLike, block: string): NormLayer {
  if (isNormLayer(norm)) return norm;
  checkExactOptions(`norm "${block}"`, block, norm, ['kind', 'eps']);
  const eps = norm.eps ?? 1e-5;
  if (norm.kind === 'rmsnorm') return rmsNormLayer({ eps });
  if (norm.kind === 'layernorm') return layerNormLayer({ eps });
  throw new SpecError(`norm "${block}": unknown kind`, {
    block,
    expected: "a norm layer (rmsNormLayer(), ...) or kind 'rmsnorm' | 'layernorm'",
    actual: String((norm as { kind?: unknown }).kind),
  });
}

/**
 * Normalizes `x` over its last axis with the chosen layer, its parameters named under `name`
 * (`${name}.gamma`, and `${name}.beta` for LayerNorm), its nodes labelled `name`. One fused row
 * kernel. `condition` feeds a conditioned layer.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 128]);
 * const h = normLayer(x, { kind: 'rmsnorm', eps: 1e-6 }, 'layers.0.attnNorm'); // param layers.0.attnNorm.gamma
 * const g = normLayer(x, scaleNormLayer(), 'layers.0.mlpNorm'); // param layers.0.mlpNorm.scale
 * ```
 */
export function normLayer(x: Node, norm: NormLayerLike, name: string, condition?: Node): Node {
  const layer = toNormLayer(norm, name);
  return withLabel(name, () => layer.apply(x, name, condition));
}
