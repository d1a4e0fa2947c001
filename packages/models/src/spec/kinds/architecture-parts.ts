import * as v from 'valibot';
import { attentionOptionsOf, type BlockAttention } from '../../blocks/attention-part.js';
import type { MlpOptions } from '../../blocks/mlp.js';
import type { StackAttention } from '../../blocks/stacks.js';
import { mergeSection, selectedLayers } from '../layer-overrides.js';
import { blockAttentionSchema, layerSelectorSchema, MAX_OVERRIDES } from '../model-spec-v2-schema.js';
import type { BlockMlpJSON } from '../model-spec-v2-types.js';
import { hasTensorRefs, modelAttentionFromJSON } from '../parts/model-attention-tensors.js';

export { ARCHITECTURE_LIMITS } from '../architecture-limits.js';

// Linear layers (`linear`) and Mega blocks (`mega`) are for decoder-lm stacks, whose decode keeps their state.
const {
  causal: _causal,
  linear: _linear,
  mega: _mega,
  ...selfAttentionEntries
} = blockAttentionSchema.entries;

const architectureAttentionEntries = {
  ...selfAttentionEntries,
  outputBias: v.optional(v.boolean()),
};

/**
 * A block's attention in the encoder, ViT, DiT and encoder–decoder kinds: the attention spec in
 * JSON of `attentionFromJSON` (as in `decoder-lm`) plus the block settings `bias` (a QKV bias) and
 * `outputBias` (a bias of the output projection, as BERT, ViT and DiT have). No `causal`: the
 * architecture decides it (bidirectional encoders, a causal decoder).
 */
export const architectureAttentionSchema = v.strictObject(architectureAttentionEntries);

/** A block's attention of an architecture kind (see {@link architectureAttentionSchema}). */
export type ArchitectureAttentionJSON = v.InferOutput<typeof architectureAttentionSchema>;

/** The attention keys an override may not remove (`null` removes the optional ones). */
const REQUIRED_ATTENTION_KEYS = new Set(['heads', 'headDim']);

const attentionPatchSchema = v.strictObject(
  Object.fromEntries(
    Object.entries(architectureAttentionEntries).map(([key, schema]) => [
      key,
      REQUIRED_ATTENTION_KEYS.has(key)
        ? v.optional(schema as v.GenericSchema)
        : v.optional(v.nullable((schema as v.OptionalSchema<v.GenericSchema, undefined>).wrapped)),
    ]),
  ) as { [K in keyof typeof architectureAttentionEntries]: v.OptionalSchema<v.GenericSchema, undefined> },
);

/**
 * A per-layer attention override of an architecture kind: the layers it selects (as in
 * `decoder-lm`) and the attention keys it changes there, merged key by key (`null` removes an
 * optional key). Overrides apply in order, so a later one wins.
 */
export const attentionOverrideSchema = v.strictObject({
  layers: layerSelectorSchema,
  attention: attentionPatchSchema,
});

/** A per-layer attention override (see {@link attentionOverrideSchema}). */
export type AttentionOverrideJSON = v.InferOutput<typeof attentionOverrideSchema>;

/** The optional `overrides` list of an architecture kind's stack. */
export const attentionOverridesSchema = v.optional(
  v.pipe(v.array(attentionOverrideSchema), v.maxLength(MAX_OVERRIDES)),
);

/**
 * The `StackAttention` of a stack whose base attention is `base` (at JSON path `path`) with the
 * per-layer `overrides`: one value for every layer when no override applies, else a function of
 * the layer index. Each distinct attention is built once by `modelAttentionFromJSON`; `bias`,
 * `outputBias` and tensor references make it the options form. A tensor reference is a learned
 * parameter of each layer, `${blocks}.{i}.attn.<name>` (`blocks` is the stack's path, e.g. `layers`).
 *
 * @throws SpecError with the JSON path of the section whose builder refused it (and the layer),
 * or of a selector that picks no layer or one outside the stack.
 *
 * @example
 * ```ts fragment
 * const attention = stackAttentionOf(config.attention, config.overrides, config.layers, 'config', 'layers');
 * buildEncoderGraph({ ...definition, attention });
 * ```
 */
export function stackAttentionOf(
  base: ArchitectureAttentionJSON,
  overrides: readonly AttentionOverrideJSON[] | undefined,
  layers: number,
  path: string,
  blocks: string,
): StackAttention {
  const sections = stackAttentionSections(base, overrides, layers, path);
  const built = new Map<string, BlockAttention>();
  const perLayer = sections.map(({ json, path: sectionPath }, layer) => {
    // A section with tensor references names per-layer parameters: built for each layer.
    const key = hasTensorRefs(json) ? `${layer}` : JSON.stringify(json);
    const known = built.get(key);
    if (known !== undefined) return known;
    const attention = blockAttentionOfJSON(json, sectionPath, {
      block: `${blocks}.${layer}.attn`,
      ...(overrides === undefined ? {} : { layer }),
    });
    built.set(key, attention);
    return attention;
  });
  if (built.size === 1) return perLayer[0]!;
  return (layer) => perLayer[layer]!;
}

/** One layer's attention in JSON after the overrides, with the JSON path it last came from. */
export interface AttentionSection {
  /** The merged attention. */
  readonly json: ArchitectureAttentionJSON;
  /** `<path>.attention`, or the last override that changed this layer's attention. */
  readonly path: string;
}

/**
 * Every layer's attention in JSON: `base` (at `<path>.attention`), then each override in order on
 * the layers it selects, merged key by key (`null` removes a key).
 *
 * @throws SpecError naming the override of a selector that picks no layer or one out of range.
 *
 * @example
 * ```ts fragment
 * stackAttentionSections(config.attention, config.overrides, config.layers, 'config')[3].json;
 * ```
 */
export function stackAttentionSections(
  base: ArchitectureAttentionJSON,
  overrides: readonly AttentionOverrideJSON[] | undefined,
  layers: number,
  path: string,
): AttentionSection[] {
  const sections: AttentionSection[] = Array.from({ length: layers }, () => ({
    json: base,
    path: `${path}.attention`,
  }));
  (overrides ?? []).forEach((override, position) => {
    const at = `${path}.overrides[${position}]`;
    for (const layer of selectedLayers(override.layers, layers, `${at}.layers`)) {
      sections[layer] = {
        json: mergeSection(sections[layer]!.json, override.attention),
        path: `${at}.attention`,
      };
    }
  });
  return sections;
}

/** Where a block's attention sits: its parameter path and, for per-layer sections, the layer. */
export interface BlockAttentionPlace {
  /** The attention block's parameter path, e.g. `layers.3.attn`. */
  readonly block: string;
  /** The layer, named first in errors. */
  readonly layer?: number;
}

/**
 * The block attention of an attention in JSON: the spec value of `modelAttentionFromJSON`, or its
 * options with `bias`, `outputBias` and the parameters of its tensor references when any is set.
 *
 * @throws SpecError with `path` (and `layer N:` first when given).
 */
export function blockAttentionOfJSON(
  json: ArchitectureAttentionJSON,
  path: string,
  place: BlockAttentionPlace,
): BlockAttention {
  const { bias, outputBias, ...parts } = json;
  const { spec, tensors } = modelAttentionFromJSON(parts, { path, ...place });
  const hasTensors = Object.keys(tensors).length > 0;
  if (bias === undefined && outputBias === undefined && !hasTensors) return spec;
  return {
    ...attentionOptionsOf(spec),
    ...(hasTensors ? { tensors } : {}),
    ...(bias === undefined ? {} : { bias }),
    ...(outputBias === undefined ? {} : { outputBias }),
  };
}

/**
 * The MLP options of an MLP in JSON.
 *
 * @example
 * ```ts
 * mlpOptionsOfJSON({ kind: 'gelu', hidden: 64, bias: true }); // the same object, as MlpOptions
 * ```
 */
export function mlpOptionsOfJSON(json: BlockMlpJSON): MlpOptions {
  return { kind: json.kind, hidden: json.hidden, ...(json.bias === undefined ? {} : { bias: json.bias }) };
}
