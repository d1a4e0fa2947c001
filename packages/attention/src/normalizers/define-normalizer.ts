import type { Normalizer, NormalizerAttrs, NormalizerDef } from './normalizer-def.js';
import { registerNormalizer } from './normalizer-table.js';
import { normalizerOf } from './normalizer-value.js';

/**
 * Makes a normalizer out of `def`: returns its builder, whose value goes in `normalizer:` of an
 * attention spec. The node stores `def.attrs(...)`; its reference, decomposition and fused kernel
 * all come from `def`. Names are unique: a second def under a built-in's or another def's name
 * throws a `SpecError`.
 *
 * @example
 * ```ts
 * const scaledRelu = defineNormalizer<{ scale: number }, { name: 'scaledRelu'; scale: number }>({
 *   name: 'scaledRelu',
 *   options: (options) => ({ scale: options?.scale ?? 1 }),
 *   attrs: (options) => ({ name: 'scaledRelu', scale: options.scale }),
 *   ...hooks,
 * });
 * attention({ heads: 8, headDim: 64, normalizer: scaledRelu({ scale: 0.5 }) });
 * ```
 */
export function defineNormalizer<Options, A extends NormalizerAttrs>(
  def: NormalizerDef<Options, A>,
): (options?: Options) => Normalizer {
  registerNormalizer(def);
  return (options?: Options) => normalizerOf(def, def.options === undefined ? options : def.options(options));
}
