import { SpecError } from '@weft/ir';
import type { Normalizer, NormalizerAttrs, NormalizerDef } from './normalizer-def.js';
import { BUILTIN_NORMALIZER_TABLE } from './normalizer-table.js';
import { normalizerOf } from './normalizer-value.js';

/** A normalizer's builder, as {@link defineNormalizer} returns it: call it for a spec's `normalizer:`. */
export type NormalizerBuilder<Options = never> = ((options?: Options) => Normalizer) & {
  /** The def the builder makes normalizers of (what `attentionExtension({ normalizers })` takes). */
  readonly def: NormalizerDef<Options, NormalizerAttrs>;
};

/**
 * Makes a normalizer out of `def`: returns its builder, whose value goes in `normalizer:` of an
 * attention spec. The node stores `def.attrs(...)` and carries an attention op derived for `def`, so
 * its reference, decomposition and fused kernel all come from `def`; nothing is registered. A graph
 * read back from JSON finds the def through the extension it is loaded with:
 * `graphFromJSON(json, { extensions: [attentionExtension({ normalizers: [myNormalizer] })] })`
 * (`@weft/attention/kernels`). A built-in's name is refused with a `SpecError`.
 *
 * @example
 * ```ts fragment
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
): NormalizerBuilder<Options> {
  if (BUILTIN_NORMALIZER_TABLE.get(def.name) !== undefined)
    throw new SpecError(`defineNormalizer: "${def.name}" is the name of a built-in normalizer`, {
      expected: 'a name of your own, e.g. "myorg.reluAttention"',
      actual: def.name,
    });
  const build = (options?: Options) =>
    normalizerOf(def, def.options === undefined ? options : def.options(options));
  return Object.assign(build, { def: def as NormalizerDef<Options, NormalizerAttrs> });
}
